"""The raw-layer writer: a week's rows replace that week only, and a field a connector gained is added."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from connectors.warehouse import connect, replace_week

WEEK, NEXT = date(2026, 3, 2), date(2026, 3, 9)


def test_a_new_column_is_added_and_older_weeks_keep_their_rows(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        replace_week(con, "goals", WEEK, pd.DataFrame({"id": ["1"], "metric": ["csat"]}), "test")
        upgraded = pd.DataFrame({"id": ["2"], "metric": ["tickets"], "objective_id": ["7041"]})
        replace_week(con, "goals", NEXT, upgraded, "test")
        rows = con.execute("select week_start, id, objective_id from raw.goals order by week_start").fetchall()
    assert rows == [(WEEK, "1", None), (NEXT, "2", "7041")]


def test_replacing_a_week_leaves_the_other_weeks_alone(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        replace_week(con, "goals", WEEK, pd.DataFrame({"id": ["1", "2"]}), "test")
        replace_week(con, "goals", NEXT, pd.DataFrame({"id": ["3"]}), "test")
        replace_week(con, "goals", WEEK, pd.DataFrame({"id": ["4"]}), "test")
        rows = con.execute("select week_start, id from raw.goals order by week_start, id").fetchall()
    assert rows == [(WEEK, "4"), (NEXT, "3")]
