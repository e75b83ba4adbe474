"""Who is scored in a week: people employed at some time in it; the rest are listed with the reason."""

from datetime import date

import duckdb
import pytest

from orchestration.defs.scoring.marts import employment_gaps

WEEK = date(2026, 3, 2)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.dim_employee (employee_id varchar, hire_date date, termination_date date)")
    con.executemany(
        "insert into marts.dim_employee values (?, ?, ?)",
        [
            ("E1", date(2025, 1, 1), None),  # employed throughout
            ("E2", date(2025, 1, 1), date(2026, 2, 27)),  # left the Friday before
            ("E3", date(2025, 1, 1), date(2026, 3, 2)),  # last day is the week's Monday: still paid that week
            ("E4", date(2026, 3, 8), None),  # joins on the week's Sunday
            ("E5", date(2026, 3, 9), None),  # joins the next Monday
        ],
    )
    yield con
    con.close()


def test_only_people_outside_the_week_are_left_out_with_their_reason(con):
    gaps = employment_gaps(con, WEEK)
    assert set(gaps) == {"E2", "E5"}
    assert gaps["E2"] == "terminated 2026-02-27, before the week"
    assert gaps["E5"] == "hired 2026-03-09, after the week"
