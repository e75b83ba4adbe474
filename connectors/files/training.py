"""Training completions exported by the learning platform (``training_completions*.csv``).

One row per completion: who (``employee_id``, the HR 工号), which course (``course_code``) and when
(``completed_at``, an instant that must carry its UTC offset: ``2026-03-01T20:00:00+08:00`` or ``...Z``; a
wall-clock time without one is quarantined, because whether the course was done before a challenge was joined
would be a guess). Completions are the prerequisite of technical challenges: activity scoring refuses a
``challenge_joined`` whose employee had not completed the challenge's course by then. Platforms re-export
history, so a completion may repeat across files; raw and staging keep each row and the earliest counts.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import _column_map
from connectors.files.inbox import read_mapped_csv
from connectors.quality import Validated

TABLE = "training_completions"
TRAINING_COMPLETIONS = _column_map(
    TABLE,
    {
        "employee_id": ("工号", "员工编号"),
        "course_code": ("课程编码", "课程代码", "course", "course id"),
        "completed_at": ("完成时间", "completed_at_utc", "completed", "completion time"),
    },
    ignored=("姓名", "name", "课程名称", "course_name", "成绩", "score", "备注", "notes"),
)


def read_training_completions(path: Path) -> Validated:
    """``training_completions*.csv`` (employee_id, course_code, completed_at) -> ``training_completions``."""
    return read_mapped_csv(path, TRAINING_COMPLETIONS, TABLE)
