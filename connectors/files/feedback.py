"""Activity feedback exported by the engagement platform (``activity_feedback*.csv``).

One row per rating: who (``employee_id``, the HR 工号) rated which activity (``activity_id``, as in the activity
feed) with a whole ``score`` from 1 to 5, and when (``submitted_at``, an instant with its UTC offset). A score
outside 1-5 (0, 6, 4.5, blank, text) is quarantined with its reason rather than clipped: an average built on a
guessed score would mislead. Whether the rater took part in the activity is the mart's question, not this one's.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import _column_map
from connectors.files.inbox import read_mapped_csv
from connectors.quality import Validated

TABLE = "activity_feedback"
ACTIVITY_FEEDBACK = _column_map(
    TABLE,
    {
        "activity_id": ("活动编号", "活动ID", "activity"),
        "employee_id": ("工号", "员工编号"),
        "score": ("评分", "分数", "rating"),
        "submitted_at": ("提交时间", "评价时间", "submitted_at_utc", "submitted"),
    },
    ignored=("姓名", "name", "活动名称", "activity_title", "评论", "comment"),
)


def read_activity_feedback(path: Path) -> Validated:
    """``activity_feedback*.csv`` (activity_id, employee_id, score, submitted_at) -> ``activity_feedback``."""
    return read_mapped_csv(path, ACTIVITY_FEEDBACK, TABLE)
