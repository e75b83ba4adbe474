from __future__ import annotations

import pytest

from exports.targets import (
    AdpColumn,
    TargetColumnMapError,
    TargetConfigError,
    XlsxColumn,
    load_targets,
    parse_targets_yaml,
)
from tests.exports.period_fixtures import targets


def test_targets_load_with_their_columns_in_map_order():
    loaded = targets()

    assert list(loaded) == ["finance_cn", "finance_en", "adp_us", "generic"]
    cn, en = loaded["finance_cn"], loaded["finance_en"]
    assert (cn.layout, cn.pay_frequency, cn.id_headers) == ("wide_xlsx", "monthly", ("工号", "姓名"))
    assert cn.xlsx_columns[:2] == (
        XlsxColumn("WEEKLY_GOAL_BONUS", "周目标奖金"),
        XlsxColumn("JOINT_INCENTIVE", "联合激励"),
    )
    assert en.id_headers == ("Employee No.", "Name")
    assert en.xlsx_columns[1] == XlsxColumn("JOINT_INCENTIVE", "Joint incentive")  # picked by header_language
    assert loaded["generic"].component_codes == ()


def test_adp_columns_fill_code_amount_pairs_in_map_order():
    adp = targets()["adp_us"]

    assert (adp.company_code, adp.batch_id) == ("7XY", "HRHUB")
    assert adp.adp_columns == (
        AdpColumn("OVERTIME_HOURS", "hours", "O/T Hours"),
        AdpColumn("WEEKLY_GOAL_BONUS", "amount", "Earnings 3 Amount", "Earnings 3 Code", "BON"),
        AdpColumn("JOINT_INCENTIVE", "amount", "Earnings 4 Amount", "Earnings 4 Code", "JNT"),
        AdpColumn("PROJECT_POOL_SHARE", "amount", "Earnings 5 Amount", "Earnings 5 Code", "POL"),
    )
    assert adp.adp_header[:3] == ("Co Code", "Batch ID", "File #")
    assert adp.adp_header[3:] == (
        "O/T Hours",
        "Earnings 3 Code",
        "Earnings 3 Amount",
        "Earnings 4 Code",
        "Earnings 4 Amount",
        "Earnings 5 Code",
        "Earnings 5 Amount",
    )


def _adp(**settings: object) -> dict[str, object]:
    base: dict[str, object] = {
        "layout": "adp_paydata_csv",
        "pay_frequency": "weekly",
        "company_code": "7XY",
        "batch_id": "B1",
        "columns": {"WEEKLY_GOAL_BONUS": "BON"},
    }
    return {**base, **settings}


def _xlsx(**settings: object) -> dict[str, object]:
    base: dict[str, object] = {
        "layout": "wide_xlsx",
        "pay_frequency": "monthly",
        "columns": {"JOINT_INCENTIVE": "联合"},
    }
    return {**base, **settings}


@pytest.mark.parametrize(
    ("settings", "field", "problem"),
    [
        ({"layout": "wide_csv", "pay_frequency": "weekly"}, "layout", "not one of long_csv, wide_xlsx"),
        ({"layout": "long_csv"}, "pay_frequency", "missing"),
        ({"layout": "long_csv", "pay_frequency": "daily"}, "pay_frequency", "'daily' is not one of weekly, monthly"),
        ({"layout": "long_csv", "pay_frequency": "weekly", "columns": {}}, "columns", "not a setting of a long_csv"),
        (_xlsx(header_language="fr"), "header_language", "'fr' is not one of zh, en"),
        (_xlsx(columns={}), "columns", "missing or empty"),
        (_xlsx(columns={"A_BONUS": "奖金", "B_BONUS": "奖金"}), "columns.B_BONUS", "already used by A_BONUS"),
        (_xlsx(columns={"A_BONUS": "工号"}), "columns.A_BONUS", "already used by the id columns"),
        (_xlsx(header_language="en", columns={"A_BONUS": {"zh": "奖金"}}), "columns.A_BONUS", "no 'en' header"),
        (_xlsx(columns={"weekly bonus": "奖金"}), "columns.weekly bonus", "upper case"),
        (_adp(company_code=12), "company_code", "quote it in YAML"),
        (_adp(company_code="7XYZ"), "company_code", "3 letters, digits or '_'"),
        (_adp(batch_id=None), "batch_id", "missing"),
        (_adp(columns={"OVERTIME_HOURS": "O/T Hour"}), "columns.OVERTIME_HOURS", "neither an ADP column"),
        (_adp(columns={"A": "X1", "B": "X2", "C": "X3", "D": "X4"}), "columns.D", "3 Earnings Code/Amount pairs"),
        (_adp(columns={"A": "O/T Hours", "B": "O/T Hours"}), "columns.B", "already used by A"),
        (_adp(columns={"A": {"bonus_code": "B"}}), "columns.A", "{earnings_code: X} or {hours_code: X}"),
    ],
)
def test_configuration_errors_name_the_target_and_the_field(settings: dict[str, object], field: str, problem: str):
    with pytest.raises(TargetConfigError, match="payroll target 'payroll_x'") as raised:
        load_targets({"payroll_x": settings})
    assert raised.value.field == field
    assert problem in str(raised.value)


def test_yaml_numbers_for_codes_are_refused_rather_than_read_as_octal():
    text = (
        "adp:\n  layout: adp_paydata_csv\n  pay_frequency: weekly\n"
        "  company_code: 012\n  batch_id: B\n  columns: {A: X}\n"
    )
    with pytest.raises(TargetConfigError, match="got int 10: quote it"):
        parse_targets_yaml(text)


def test_two_adp_targets_cannot_share_a_batch():
    with pytest.raises(TargetConfigError, match="already target 'first'"):
        load_targets({"first": _adp(), "second": _adp()})


def test_target_names_must_be_safe_in_file_names():
    with pytest.raises(TargetConfigError, match="field 'name'"):
        load_targets({"../x": {"layout": "long_csv", "pay_frequency": "weekly"}})


def test_a_component_missing_from_the_column_map_is_an_error_naming_it_and_the_target():
    cn = targets()["finance_cn"]
    with pytest.raises(
        TargetColumnMapError, match=r"'finance_cn' has no column for component\(s\) EXTRA_LEAVE_HOURS"
    ) as e:
        cn.check_components(["WEEKLY_GOAL_BONUS", "EXTRA_LEAVE_HOURS"])
    assert (e.value.target, e.value.component_codes) == ("finance_cn", ("EXTRA_LEAVE_HOURS",))
    targets()["generic"].check_components(["ANYTHING"])  # the long CSV writes every component as it is
