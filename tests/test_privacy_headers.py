"""Personal-column headers (issue 18): one case per alias, spacing/case variants, look-alikes kept."""

from __future__ import annotations

import pandas as pd
import pytest

from csresearch.privacy import find_identifier_columns, find_personal_columns

PERSONAL = [
    ("姓 名", "name"), ("姓名", "name"), ("员工姓名", "name"), ("Имя кандидата", "name"), ("ФИО сотрудника", "name"),
    ("Full Name", "name"), ("candidate_name", "name"), ("Contact Person", "name"), ("контактное лицо", "name"),
    ("联系QQ", "handle"), ("QQ号", "handle"), ("wx", "handle"), ("WX", "handle"), ("微信号", "handle"),
    ("WeChat ID", "handle"), ("Telegram", "handle"), ("whatsapp_id", "handle"),
    ("mobile_no", "phone"), ("Mobile No.", "phone"), ("MOBILE NUMBER", "phone"), ("手机号码", "phone"),
    ("联系电话", "phone"), ("联系方式", "phone"), ("Номер телефона", "phone"), ("cell_no", "phone"),
    ("e-mail", "email"), ("E_Mail Address", "email"), ("邮箱", "email"), ("Эл. почта", "email"),
    ("id_card_no", "national_id"), ("ID Card No", "national_id"), ("身份证号码", "national_id"), ("СНИЛС", "national_id"),
    ("Passport No.", "national_id"), ("家庭住址", "address"), ("date of birth", "birth_date"),
]
IDENTIFIERS = ["EmpID", "emp_id", "staff no", "Staff No.", "员工ID", "员工编号", "工号", "Employee Code", "employee_id",
               "EmployeeNumber", "Табельный номер", "код сотрудника"]
HARMLESS = ["title", "company_name", "city", "region", "salary_text", "n_respondents", "job_name", "description",
            "age", "gender", "department", "education", "experience", "date", "phone_support", "email_channel"]


@pytest.mark.parametrize("header, kind", PERSONAL)
def test_personal_header_alias_is_found(header, kind):
    assert find_personal_columns([header]) == {header: kind}


@pytest.mark.parametrize("header", IDENTIFIERS)
def test_identifier_header_alias_is_found(header):
    assert find_identifier_columns([header]) == [header]


@pytest.mark.parametrize("header", HARMLESS)
def test_harmless_header_is_not_taken_for_personal_data(header):
    assert find_personal_columns([header]) == {} and find_identifier_columns([header]) == []


def test_full_width_and_case_variants_are_one_header():
    assert find_personal_columns(["ＭＯＢＩＬＥ＿ＮＯ", "Mobile-No", "mobileNo"]) == dict.fromkeys(
        ["ＭＯＢＩＬＥ＿ＮＯ", "Mobile-No", "mobileNo"], "phone")
    assert pd.Index(find_identifier_columns(["EMPID", "Emp Id"])).tolist() == ["EMPID", "Emp Id"]
