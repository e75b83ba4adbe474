"""Pure message builders: employee weekly result, manager at-risk list, HR "export ready", weekly points digest.

A message's idempotency key is sha256 of (kind, week, recipient, content version). The content version is the
template version plus a digest of the *facts* shown (at display precision), not of the wording or locale: a
retried run rebuilds the same key and is never sent twice, while a recomputed week with different numbers is
a new message the recipient should see.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from exports import templates
from exports.templates import DEFAULT_LOCALE, TEMPLATE_VERSION
from scoring.points_ledger import EntryKind, LedgerEntry, balances, lots

if TYPE_CHECKING:
    from exports.manifest import PayrollManifest

DEFAULT_CHANNEL = "wecom"
EMPLOYEE_WEEKLY_RESULT = "employee_weekly_result"
MANAGER_AT_RISK = "manager_at_risk"
HR_EXPORT_READY = "hr_export_ready"
POINTS_WEEKLY_DIGEST = "points_weekly_digest"
# Keeps a manager's message well under WeCom's 4096-byte markdown limit; the rest are on the dashboard.
MAX_LISTED_MEMBERS = 25
MAX_LISTED_REDEMPTIONS = 25
# The digest warns of points expiring within this many days after the week's Sunday.
EXPIRY_NOTICE_DAYS = 30


@dataclass(frozen=True)
class Message:
    idempotency_key: str
    channel: str
    recipient: str
    subject: str
    body_markdown: str
    locale: str


@dataclass(frozen=True)
class EmployeeWeeklyResult:
    employee_id: str
    name: str
    week_start: date
    attainment: Decimal  # ratio, 1.0 = on target
    band: str
    bonus: Decimal
    currency: str
    points: int | Decimal


@dataclass(frozen=True)
class AtRiskMember:
    employee_id: str
    name: str
    attainment: Decimal
    reason_codes: tuple[str, ...]


def idempotency_key(kind: str, week: str, recipient: str, content_version: str) -> str:
    """sha256 over the four parts as a JSON list, so no choice of separator can make two keys collide."""
    return hashlib.sha256(json.dumps([kind, week, recipient, content_version]).encode("utf-8")).hexdigest()


def content_version(facts: object) -> str:
    """Template version + digest of the facts (strings at display precision) the message shows."""
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"v{TEMPLATE_VERSION}-{digest[:16]}"


def employee_weekly_message(
    result: EmployeeWeeklyResult, *, locale: str = DEFAULT_LOCALE, channel: str = DEFAULT_CHANNEL
) -> Message:
    """An employee's own weekly attainment, band, bonus and activity points."""
    week = result.week_start.isoformat()
    label = templates.week_label(result.week_start, locale)
    facts = {
        "attainment": templates.format_ratio_percent(result.attainment),
        "band": result.band,
        "bonus": templates.format_money(result.bonus, result.currency),
        "points": templates.format_points(result.points),
    }
    body = templates.render(
        locale,
        "employee_weekly.body",
        week_label=label,
        name=templates.md_text(result.name),
        attainment=facts["attainment"],
        band=templates.band_label(result.band, locale),
        bonus=facts["bonus"],
        points=facts["points"],
    )
    return Message(
        idempotency_key=idempotency_key(EMPLOYEE_WEEKLY_RESULT, week, result.employee_id, content_version(facts)),
        channel=channel,
        recipient=result.employee_id,
        subject=templates.render(locale, "employee_weekly.subject", week_label=label),
        body_markdown=body,
        locale=locale,
    )


def manager_at_risk_message(
    manager_id: str,
    week_start: date,
    members: Sequence[AtRiskMember],
    *,
    locale: str = DEFAULT_LOCALE,
    channel: str = DEFAULT_CHANNEL,
) -> Message:
    """A manager's at-risk reports, lowest attainment first, each with its attendance reasons."""
    if not members:
        raise ValueError(f"no at-risk members for manager {manager_id}; send nothing rather than an empty list")
    ordered = sorted(members, key=lambda m: (templates.two_places(m.attainment * 100), m.employee_id))
    facts = [[m.employee_id, templates.format_ratio_percent(m.attainment), sorted(m.reason_codes)] for m in ordered]
    lines = [
        templates.render(
            locale,
            "manager_at_risk.member",
            name=templates.md_text(m.name),
            employee_id=m.employee_id,
            attainment=templates.format_ratio_percent(m.attainment),
            reasons=templates.reasons_text(tuple(sorted(m.reason_codes)), locale),
        )
        for m in ordered[:MAX_LISTED_MEMBERS]
    ]
    if len(ordered) > MAX_LISTED_MEMBERS:
        lines.append(templates.render(locale, "manager_at_risk.more", count=len(ordered) - MAX_LISTED_MEMBERS))
    label = templates.week_label(week_start, locale)
    week = week_start.isoformat()
    return Message(
        idempotency_key=idempotency_key(MANAGER_AT_RISK, week, manager_id, content_version(facts)),
        channel=channel,
        recipient=manager_id,
        subject=templates.render(locale, "manager_at_risk.subject", count=len(ordered), week_label=label),
        body_markdown=templates.render(
            locale, "manager_at_risk.body", week_label=label, count=len(ordered), members="\n".join(lines)
        ),
        locale=locale,
    )


def export_ready_message(
    manifest: PayrollManifest,
    *,
    recipient: str,
    locale: str = DEFAULT_LOCALE,
    channel: str = DEFAULT_CHANNEL,
) -> Message:
    """Tell HR a payroll file is ready: its name, row count and control totals (never individual pay)."""
    currency = manifest.currency
    components = []
    for code, total in manifest.control_totals.items():
        quantity = (
            templates.render(
                locale,
                "export_ready.quantity",
                quantity=templates.format_number(Decimal(total.quantity)),
                unit=total.unit or "",
            ).rstrip()
            if total.quantity is not None
            else ""
        )
        components.append(
            templates.render(
                locale,
                "export_ready.component",
                component_code=code,
                amount=templates.format_money(Decimal(total.amount), currency),
                rows=total.rows,
                quantity=quantity,
            )
        )
    rejected = (
        templates.render(locale, "export_ready.rejected", count=manifest.rejected_lines)
        if manifest.rejected_lines
        else ""
    )
    body = templates.render(
        locale,
        "export_ready.body",
        pay_period=manifest.pay_period,
        file_name=manifest.file_name,
        rows=manifest.rows,
        grand_total=templates.format_money(Decimal(manifest.grand_total), currency),
        plan_version=manifest.plan_version,
        rejected=rejected,
        components="\n".join(components),
    )
    # The file name carries the content's sha8, so a different file is a different message.
    facts = {"file_name": manifest.file_name, "sha256": manifest.sha256, "rejected": manifest.rejected_lines}
    return Message(
        idempotency_key=idempotency_key(HR_EXPORT_READY, manifest.pay_period, recipient, content_version(facts)),
        channel=channel,
        recipient=recipient,
        subject=templates.render(locale, "export_ready.subject", pay_period=manifest.pay_period),
        body_markdown=body,
        locale=locale,
    )


@dataclass(frozen=True)
class DigestRedemption:
    """One redemption decision of the week (a row of ``scoring.points_redemptions``)."""

    employee_id: str
    request_id: str
    item_code: str
    status: str  # granted | refused
    points: int
    leave_hours: int
    reason: str


@dataclass(frozen=True)
class PointsDigest:
    """An employee's points week: what was earned, corrected and expired, the balance, what expires soon, and the
    redemptions decided. ``expiring`` is (expiry day, points) within ``EXPIRY_NOTICE_DAYS`` after the week."""

    employee_id: str
    name: str
    week_start: date
    earned: int
    adjusted: int
    expired: int  # points that expired in the week, as a positive number
    balance: int
    expiring: tuple[tuple[date, int], ...]
    redemptions: tuple[DigestRedemption, ...]


def points_digests(
    week_start: date,
    entries: Iterable[LedgerEntry],
    redemptions: Iterable[DigestRedemption],
    names: Mapping[str, str],
) -> list[PointsDigest]:
    """The digest of every employee with points activity in the week: a ledger entry posted in it or a decision.

    ``entries`` is the whole ledger up to and including the week (balances and expiring lots are computed from
    it); a later week's entry is a ``ValueError``, since it would leak the future into this week's digest. A
    person missing from ``names`` is greeted by id.
    """
    entries = list(entries)
    late = [e.entry_id for e in entries if e.posted_week > week_start]
    if late:
        raise ValueError(f"{len(late)} ledger entries were posted after the week of {week_start}, e.g. {late[0]}")
    posted: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        if entry.posted_week == week_start:
            posted[entry.employee_id].append(entry)
    decided: dict[str, list[DigestRedemption]] = defaultdict(list)
    for redemption in redemptions:
        decided[redemption.employee_id].append(redemption)
    totals = balances(entries)
    week_end = week_start + timedelta(days=6)
    horizon = week_end + timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for lot in lots(entries):
        if lot.remaining > 0 and week_end < lot.expires_on <= horizon:
            expiring[lot.employee_id][lot.expires_on] += lot.remaining

    def total(employee_id: str, kind: EntryKind) -> int:
        return sum(e.points for e in posted[employee_id] if e.kind == kind)

    return [
        PointsDigest(
            employee_id=employee_id,
            name=names.get(employee_id, employee_id),
            week_start=week_start,
            earned=total(employee_id, EntryKind.EARN),
            adjusted=total(employee_id, EntryKind.ADJUST),
            expired=-total(employee_id, EntryKind.EXPIRE),
            balance=totals.get(employee_id, 0),
            expiring=tuple(sorted(expiring[employee_id].items())),
            redemptions=tuple(sorted(decided[employee_id], key=lambda r: (r.request_id, r.reason))),
        )
        for employee_id in sorted(set(posted) | set(decided))
    ]


def points_digest_message(
    digest: PointsDigest, *, locale: str = DEFAULT_LOCALE, channel: str = DEFAULT_CHANNEL
) -> Message:
    """An employee's weekly points digest; a week's re-run rebuilds the same key, changed facts make a new one."""
    week = digest.week_start.isoformat()
    label = templates.week_label(digest.week_start, locale)
    facts = {
        "earned": digest.earned,
        "adjusted": digest.adjusted,
        "expired": digest.expired,
        "balance": digest.balance,
        "expiring": [[day.isoformat(), points] for day, points in digest.expiring],
        "redemptions": [
            [r.request_id, r.item_code, r.status, r.points, r.leave_hours, r.reason] for r in digest.redemptions
        ],
    }
    points = templates.format_points
    optional = ""
    if digest.adjusted:
        optional += templates.render(locale, "points_digest.adjusted", points=f"{digest.adjusted:+,}")
    if digest.expired:
        optional += templates.render(locale, "points_digest.expired", points=points(digest.expired))
    expiring_total = sum(p for _, p in digest.expiring)
    details = templates.render(
        locale,
        "points_digest.expiring_details",
        details=templates.list_separator(locale).join(
            templates.render(locale, "points_digest.expiring_day", day=day.isoformat(), points=points(p))
            for day, p in digest.expiring
        ),
    )
    lines = [_redemption_line(r, locale) for r in digest.redemptions[:MAX_LISTED_REDEMPTIONS]]
    if len(digest.redemptions) > MAX_LISTED_REDEMPTIONS:
        more = len(digest.redemptions) - MAX_LISTED_REDEMPTIONS
        lines.append(templates.render(locale, "points_digest.more", count=more))
    body = templates.render(
        locale,
        "points_digest.body",
        week_label=label,
        name=templates.md_text(digest.name),
        earned=points(digest.earned),
        optional=optional,
        balance=points(digest.balance),
        days=EXPIRY_NOTICE_DAYS,
        expiring=points(expiring_total),
        expiring_details=details if digest.expiring else "",
        redemptions=templates.render(locale, "points_digest.redemptions", lines="\n".join(lines)) if lines else "",
    )
    return Message(
        idempotency_key=idempotency_key(POINTS_WEEKLY_DIGEST, week, digest.employee_id, content_version(facts)),
        channel=channel,
        recipient=digest.employee_id,
        subject=templates.render(locale, "points_digest.subject", week_label=label),
        body_markdown=body,
        locale=locale,
    )


def _redemption_line(redemption: DigestRedemption, locale: str) -> str:
    item = redemption.item_code.replace("`", "'")
    if redemption.status == "granted":
        leave = (
            templates.render(locale, "points_digest.leave", hours=redemption.leave_hours)
            if redemption.leave_hours
            else ""
        )
        return templates.render(
            locale, "points_digest.granted", item=item, points=templates.format_points(redemption.points), leave=leave
        )
    return templates.render(locale, "points_digest.refused", item=item, reason=templates.md_text(redemption.reason))
