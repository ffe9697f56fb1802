"""read_table: encodings, formats, header mapping, headerless files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from csresearch.errors import ColumnMappingError, InputFileError
from csresearch.io import canonical_columns, detect_encoding, read_table

ZH = "职位名称,薪资,工作地点,学历要求\n客服专员,6-8千/月,上海-浦东新区,大专\n客服主管,1-1.5万·13薪,北京,本科\n"
RU = "Должность;Зарплата;Город;Опыт работы\nОператор call-центра;от 50 000 до 150 000 руб. на руки;Москва;нет опыта\nСтарший оператор;40000—60000 руб.;Казань;1–3 года\n"
EN = "Job Title,Salary,Location,Company\nCustomer Service Advisor,\"£22,000 - £25,000 per annum\",Manchester,Acme\n"


@pytest.mark.parametrize("encoding,expected", [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf_8"), ("utf-8-sig", "utf_8_sig")])
def test_chinese_file_in_each_encoding_reads_the_same(tmp_path, encoding, expected):
    path = tmp_path / f"zh_{encoding}.csv"
    path.write_bytes(ZH.encode(encoding))
    df = read_table(path)
    assert df.attrs["read_info"]["encoding"] == expected
    assert list(df.columns) == ["title", "salary_text", "city", "education_text"]
    assert df["salary_text"].tolist() == ["6-8千/月", "1-1.5万·13薪"]
    assert df["city"].iloc[0] == "上海-浦东新区"


@pytest.mark.parametrize("encoding,expected", [("cp1251", "cp1251"), ("utf-8", "utf_8")])
def test_russian_file_semicolon_separated(tmp_path, encoding, expected):
    path = tmp_path / "ru.csv"
    path.write_bytes(RU.encode(encoding))
    df = read_table(path)
    assert df.attrs["read_info"]["encoding"] == expected
    assert df.attrs["read_info"]["delimiter"] == ";"
    assert list(df.columns) == ["title", "salary_text", "city", "experience_text"]
    assert df["salary_text"].iloc[0] == "от 50 000 до 150 000 руб. на руки"
    assert df["experience_text"].iloc[1] == "1–3 года"


def test_forced_encoding_wins_and_a_wrong_one_is_a_clear_error(tmp_path):
    path = tmp_path / "ru.csv"
    path.write_bytes(RU.encode("cp1251"))
    assert read_table(path, encoding="cp1251")["city"].iloc[0] == "Москва"
    with pytest.raises(InputFileError, match=r"ru\.csv: wrong or mixed encoding.*utf-8"):
        read_table(path, encoding="utf-8")


def test_mixed_encoding_names_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(ZH.encode("utf-8") + "客服组长,5千/月,杭州,大专\n".encode("gbk"))
    with pytest.raises(InputFileError, match=r"mixed\.csv.*line 4"):
        read_table(path, encoding="utf-8")


def test_english_headers_and_quoted_commas(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(EN, encoding="utf-8")
    df = read_table(path)
    assert df["salary_text"].iloc[0] == "£22,000 - £25,000 per annum"
    assert df.attrs["read_info"]["column_map"] == {
        "Job Title": "title", "Salary": "salary_text", "Location": "city", "Company": "company"}


def test_headerless_file_with_column_names(tmp_path):
    path = tmp_path / "51job_like.csv"
    path.write_text("https://x/1,客服专员,某公司,4.5-6千/月,上海-徐汇区\nhttps://x/2,电话销售,某公司,6-8千/月,上海-浦东新区\n", "utf-8")
    df = read_table(path, columns=["url", "title", "company", "salary_text", None])
    assert list(df.columns) == ["url", "title", "company", "salary_text", "col_4"]
    assert len(df) == 2 and df["title"].iloc[1] == "电话销售"
    with pytest.raises(ColumnMappingError, match="names 3 columns but the file has 5"):
        read_table(path, columns=["url", "title", "company"])


def test_user_mapping_goes_before_aliases_and_unknown_columns_are_kept(tmp_path):
    path = tmp_path / "hh.csv"
    path.write_text("name,salary_from,salary_to,area_name,premium\nОператор,60000,90000,Москва,False\n", "utf-8")
    df = read_table(path, columns={"name": "title"})
    assert list(df.columns) == ["title", "salary_low", "salary_high", "city", "premium"]
    assert df.attrs["read_info"]["unmapped_columns"] == ["premium"]
    with pytest.raises(ColumnMappingError, match="maps \\['nom'\\]"):
        read_table(path, columns={"nom": "title"})


def test_require_names_missing_canonical_columns(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("employee_id,department\n1,Sales\n", "utf-8")
    assert read_table(path).shape == (1, 2)
    with pytest.raises(ColumnMappingError, match=r"no column maps to \['title'\]"):
        read_table(path, require=["title"])


def test_xlsx_json_jsonl_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"岗位": ["客服专员", "客服经理"], "月薪": ["5000", "1.2万"], "城市": ["杭州", None]})
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    (tmp_path / "s.json").write_text(json.dumps({"items": frame.to_dict(orient="records")}, ensure_ascii=False), "utf-8")
    (tmp_path / "s.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in frame.to_dict(orient="records")), "utf-8")
    frame.to_parquet(tmp_path / "s.parquet")
    for name in ["s.xlsx", "s.json", "s.jsonl", "s.parquet"]:
        df = read_table(tmp_path / name)
        assert list(df.columns) == ["title", "salary_text", "city"], name
        assert df["salary_text"].tolist() == ["5000", "1.2万"], name
        assert pd.isna(df["city"].iloc[1]), name


def test_xlsx_numbers_read_like_a_csv_export(tmp_path):
    pd.DataFrame({"salary": [6000, 4.5], "title": ["a", "b"]}).to_excel(tmp_path / "n.xlsx", index=False)
    assert read_table(tmp_path / "n.xlsx")["salary_text"].tolist() == ["6000", "4.5"]


def test_detect_encoding_examples():
    assert detect_encoding("客服专员,上海,本科,五险一金".encode("gbk")) == "gb18030"
    assert detect_encoding("Оператор call-центра, Москва, высшее образование".encode("cp1251")) == "cp1251"
    assert detect_encoding("plain ascii".encode()) == "utf_8"
    # a UTF-8 sample cut inside a character is still UTF-8
    assert detect_encoding("客服专员".encode()[:-1]) == "utf_8"


def test_canonical_columns_cover_the_pipeline_inputs():
    assert {"title", "city", "salary_text", "experience_text", "education_text", "company",
            "description", "date", "country"} <= set(canonical_columns())
