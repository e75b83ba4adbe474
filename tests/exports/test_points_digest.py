"""The weekly points digest: who gets one, the exact figures and text, and keys that only change with the facts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from exports.notifications import DigestRedemption, points_digest_message, points_digests
from scoring.plan import DEFAULT_PLAN_PATH, load_plan
from scoring.points_ledger import EarnedPoints, RedemptionRequest, post_week

WEEK = date(2026, 3, 2)
NAMES = {"E1": "张伟", "E2": "李娜", "E3": "王芳"}
MUG_REASON = "catalog item GOODS_MUG_2025 (Company mug (2025 edition)) is retired"


def _ledger():
    """A year of points: E2's oldest lot expires in the week, E1 and E2 have lots expiring on 2026-03-10."""
    rules = load_plan(DEFAULT_PLAN_PATH).activity_points.redemption
    first = post_week([], date(2025, 3, 3), [EarnedPoints("E2", date(2025, 3, 3), 100)], [], rules)
    second_earned = [EarnedPoints(e, date(2025, 3, 10), p) for e, p in (("E1", 700), ("E2", 40), ("E3", 10))]
    second = post_week(first.entries, date(2025, 3, 10), second_earned, [], rules)
    prior = [*first.entries, *second.entries]
    requests = [
        RedemptionRequest("RR-1", "E1", "LEAVE_8H", datetime(2026, 3, 4, 2, 0, tzinfo=UTC)),
        RedemptionRequest("RR-2", "E1", "GOODS_MUG_2025", datetime(2026, 3, 4, 3, 0, tzinfo=UTC)),
    ]
    week = post_week(prior, WEEK, [EarnedPoints("E1", WEEK, 120)], requests, rules)
    decisions = [
        DigestRedemption(
            r.request.employee_id,
            r.request.request_id,
            r.request.item_code,
            r.status,
            r.points,
            r.leave_hours,
            r.reason,
        )
        for r in week.redemptions
    ]
    return [*prior, *week.entries], decisions


def test_only_people_with_points_activity_in_the_week_get_a_digest_with_exact_figures():
    entries, decisions = _ledger()
    digests = {d.employee_id: d for d in points_digests(WEEK, entries, decisions, NAMES)}

    assert sorted(digests) == ["E1", "E2"]  # E3 only holds points: nothing happened this week
    e1 = digests["E1"]
    # 700 + 120 - 500; the leave was paid from the oldest lot first, so 200 of it expire on 2026-03-10.
    assert (e1.earned, e1.adjusted, e1.expired, e1.balance) == (120, 0, 0, 320)
    assert e1.expiring == ((date(2026, 3, 10), 200),)
    assert [(r.request_id, r.status, r.points, r.leave_hours, r.reason) for r in e1.redemptions] == [
        ("RR-1", "granted", 500, 8, ""),
        ("RR-2", "refused", 0, 0, MUG_REASON),
    ]
    e2 = digests["E2"]
    assert (e2.earned, e2.expired, e2.balance, e2.expiring, e2.redemptions) == (
        0,
        100,
        40,
        ((date(2026, 3, 10), 40),),
        (),
    )


def test_digest_text_in_chinese_and_english():
    entries, decisions = _ledger()
    e1 = points_digests(WEEK, entries, decisions, NAMES)[0]

    zh = points_digest_message(e1)
    assert (zh.recipient, zh.channel, zh.locale) == ("E1", "wecom", "zh-CN")
    assert zh.subject == "积分周报：2026-W10（2026-03-02 起）"
    assert zh.body_markdown == (
        "### 积分周报 2026-W10（2026-03-02 起）\n"
        "张伟，你好！以下是你本周的积分情况：\n"
        "- 本周获得：**120**\n"
        "- 当前余额：**320**\n"
        "- 30 天内将过期：200（2026-03-10 到期 200）\n"
        "\n**本周兑换**\n"
        "- `LEAVE_8H`：**已兑换**，使用 500 积分，获得 8 小时假期（已计入工资导出）\n"
        "- `GOODS_MUG_2025`：**未兑换**，原因：catalog item GOODS＿MUG＿2025 (Company mug (2025 edition)) is retired\n"
    )
    en = points_digest_message(e1, locale="en")
    assert en.subject == "Your points this week: 2026-W10 (from 2026-03-02)"
    assert en.body_markdown == (
        "### Points digest 2026-W10 (from 2026-03-02)\n"
        "Hi 张伟, here are your activity points this week:\n"
        "- Earned this week: **120**\n"
        "- Balance: **320**\n"
        "- Expiring within 30 days: 200 (200 on 2026-03-10)\n"
        "\n**Redemptions this week**\n"
        "- `LEAVE_8H`: **granted**, 500 points; 8 h of leave (included in the payroll export)\n"
        "- `GOODS_MUG_2025`: **refused**: catalog item GOODS＿MUG＿2025 (Company mug (2025 edition)) is retired\n"
    )
    assert en.idempotency_key == zh.idempotency_key  # one message per person and facts, whatever the locale


def test_corrections_and_expiries_are_listed_only_when_they_happened():
    entries, decisions = _ledger()
    e2 = points_digests(WEEK, entries, decisions, NAMES)[1]
    body = points_digest_message(dataclasses.replace(e2, adjusted=-20), locale="en").body_markdown
    assert "- Earned this week: **0**\n- Corrections: -20\n- Expired this week: 100\n- Balance: **40**\n" in body
    assert "Redemptions" not in body
    quiet = dataclasses.replace(e2, expired=0, expiring=())
    quiet_body = points_digest_message(quiet).body_markdown
    assert "- 30 天内将过期：0\n" in quiet_body
    assert "本周已过期" not in quiet_body and "积分更正" not in quiet_body


def test_keys_are_stable_across_reruns_and_change_with_the_facts_only():
    entries, decisions = _ledger()
    digest = points_digests(WEEK, entries, decisions, NAMES)[0]
    key = points_digest_message(digest).idempotency_key
    # Rebuilt from the same ledger (a retried run), in another order: the same key.
    again = points_digests(WEEK, list(reversed(entries)), list(reversed(decisions)), NAMES)[0]
    assert points_digest_message(again).idempotency_key == key
    # A renamed person sees the same facts: no second message.
    assert points_digest_message(dataclasses.replace(digest, name="Zhang Wei")).idempotency_key == key
    # Different facts are a new message: a changed balance, a decision changed on re-posting, another week.
    changed = [
        dataclasses.replace(digest, balance=321),
        dataclasses.replace(digest, redemptions=digest.redemptions[:1]),
        dataclasses.replace(digest, expiring=((date(2026, 3, 10), 199),)),
        dataclasses.replace(digest, week_start=date(2026, 3, 9)),
    ]
    keys = {points_digest_message(d).idempotency_key for d in changed}
    assert key not in keys and len(keys) == len(changed)


def test_a_ledger_from_a_later_week_is_refused():
    entries, decisions = _ledger()
    with pytest.raises(ValueError, match="posted after the week of 2025-03-03"):
        points_digests(date(2025, 3, 3), entries, decisions, NAMES)
