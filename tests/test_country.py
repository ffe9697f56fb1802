"""Country names and codes: normalize_countries, the pipeline's country_unknown, --country."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csresearch.clean.country import country_code, normalize_countries
from csresearch.clean.pipeline import clean_survey
from csresearch.cli import main
from csresearch.errors import ReferenceDataError

REF = Path(__file__).resolve().parents[1] / "csresearch" / "reference"
GB_NAMES = ["UK", "U.K.", "United Kingdom", "Великобритания", "英国", "GBR", "826", "Great Britain",
            "England", "Wales", "the United Kingdom", "Royaume-Uni", "Vereinigtes Königreich", "gb"]


@pytest.mark.parametrize("name", GB_NAMES)
def test_gb_spellings(name):
    assert country_code(name) == "GB"


@pytest.mark.parametrize(
    ("name", "code"),
    [("USA", "US"), ("U.S.", "US"), ("United States of America", "US"), ("США", "US"), ("美国", "US"),
     ("Россия", "RU"), ("РФ", "RU"), ("Russian Federation", "RU"), ("中国", "CN"), ("中国大陆", "CN"),
     ("PRC", "CN"), ("Deutschland", "DE"), ("DEU", "DE"), ("276", "DE"), ("36", "AU"), ("Казахстан", "KZ"),
     ("Қазақстан", "KZ"), ("Україна", "UA"), ("Беларусь", "BY"), ("Holland", "NL"), ("Türkiye", "TR")],
)
def test_other_names_and_codes(name, code):
    assert country_code(name) == code


def test_unknown_and_missing_are_told_apart():
    out = normalize_countries(pd.Series(["Narnia", None, "", "UK"], index=[5, 6, 7, 8]))
    assert out.index.tolist() == [5, 6, 7, 8]
    assert out["country_status"].tolist() == ["unknown", "missing", "missing", "known"]
    assert out["country"].isna().tolist() == [True, True, True, False]
    with pytest.raises(ReferenceDataError, match="Narnia"):
        country_code("Narnia")


def test_alias_file_maps_to_iso_codes_only():
    import pycountry

    aliases = pd.read_csv(REF / "country_aliases.csv", dtype=str, keep_default_na=False)
    assert set(aliases["country"]) <= {c.alpha_2 for c in pycountry.countries}
    assert (aliases["why"] != "").all()


def _uk_survey() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["Customer Service Advisor"] * 6,
        "salary_text": ["£12.00 per hour"] * 6,
        "city": ["Cardiff, Wales", "London", "Manchester", "Cardiff, Wales", "Glasgow", "Leeds"],
        "country": ["UK", "U.K.", "United Kingdom", "Великобритания", "英国", "Narnia"],
        "year": ["2023"] * 6,
    })


def test_uk_survey_gets_gb_working_time_ppp_and_cities():
    res = clean_survey(_uk_survey(), source="uk_demo")
    t = res.table
    assert len(t) == 5 and set(t["country"]) == {"GB"}
    wt = pd.read_csv(REF / "working_time.csv").set_index("country")
    assert wt.loc["GB", "hours_per_year"] == 1950
    assert t["annual_low"].tolist() == pytest.approx([12.0 * 1950] * 5)
    ppp = pd.read_csv(REF / "ppp.csv").query("country == 'GB' and year == 2023")["value"].iloc[0]
    assert t["annual_mid_usd_ppp"].tolist() == pytest.approx([12.0 * 1950 / ppp] * 5)
    assert t.loc[t["source_row"] == 1, "city"].iloc[0] == "Cardiff"
    assert t["city"].tolist() == ["Cardiff", "London", "Manchester", "Cardiff", "Glasgow"]


def test_unknown_country_is_a_reject_naming_value_and_row():
    res = clean_survey(_uk_survey(), source="uk_demo")
    rej = res.rejects
    assert len(rej) == 1 and rej["reason"].iloc[0] == "country_unknown"
    assert "Narnia" in rej["detail"].iloc[0]
    assert int(rej["source_row"].iloc[0]) == 6
    assert res.manifest["rejected_by_reason"] == {"country_unknown": 1}


def test_default_country_argument_accepts_names_and_rejects_unknowns():
    raw = _uk_survey().drop(columns="country")
    assert set(clean_survey(raw, source="d", country="Великобритания").table["country"]) == {"GB"}
    with pytest.raises(ReferenceDataError, match="Narnia"):
        clean_survey(raw, source="d", country="Narnia")


def test_cli_country_good_and_bad(tmp_path, capsys):
    path = tmp_path / "uk.csv"
    _uk_survey().drop(columns="country").to_csv(path, index=False)
    assert main(["clean", str(path), "--source", "uk", "--country", "U.K.", "-o", str(tmp_path / "out")]) == 0
    table = pd.read_parquet(tmp_path / "out" / "uk.parquet")
    assert set(table["country"]) == {"GB"} and len(table) == 6
    assert main(["clean", str(path), "--source", "uk", "--country", "Narnia", "-o", str(tmp_path / "bad")]) == 2
    assert "Narnia" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["parse-salary", "5000", "--country", "Narnia"]) == 2
