"""Message templates (zh-CN and en) and the number formats they use.

Bodies are the markdown subset every group bot renders (WeCom, DingTalk, Feishu): ``###`` headings, ``**bold**``,
``-`` lists and ``>`` quotes; no tables (WeCom's markdown has none). Numbers are formatted here, once, with
``ROUND_HALF_UP`` to 2 places, so every channel shows the same figures as the payroll file.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_LOCALE = "zh-CN"
SUPPORTED_LOCALES = ("zh-CN", "en")
TEMPLATE_VERSION = "1"  # bump when wording changes in a way recipients must see again

_TEMPLATES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "week_label": "{iso_week}（{monday} 起）",
        "employee_weekly.subject": "本周成绩：{week_label}",
        "employee_weekly.body": (
            "### 本周成绩 {week_label}\n"
            "{name}，你好！以下是你本周的结果：\n"
            "- 目标达成率：**{attainment}**\n"
            "- 评级：**{band}**\n"
            "- 周奖金：**{bonus}**\n"
            "- 活动积分：{points}\n"
        ),
        "manager_at_risk.subject": "需关注成员（{count} 人）：{week_label}",
        "manager_at_risk.body": (
            "### 需关注成员 {week_label}\n"
            "以下 {count} 位成员本周目标达成率低于 80%，请及时沟通：\n"
            "{members}\n"
            "> 考勤原因仅供参考，请结合实际情况判断。\n"
        ),
        "manager_at_risk.member": "- {name}（{employee_id}）：达成率 **{attainment}**；考勤：{reasons}",
        "manager_at_risk.more": "- ……另有 {count} 人，请在看板中查看",
        "manager_at_risk.no_reasons": "无异常",
        "export_ready.subject": "工资数据已生成：{pay_period}",
        "export_ready.body": (
            "### 工资数据已生成 {pay_period}\n"
            "- 文件：`{file_name}`\n"
            "- 行数：{rows}\n"
            "- 合计：**{grand_total}**\n"
            "- 方案版本：{plan_version}\n"
            "{rejected}"
            "\n**分项合计**\n"
            "{components}\n"
        ),
        "export_ready.component": "- {component_code}：{amount}（{rows} 行{quantity}）",
        "export_ready.quantity": "，数量 {quantity} {unit}",
        "export_ready.rejected": "- **注意**：{count} 行未导出（缺少工资号或不在员工名册），请在隔离表中处理\n",
        "points_digest.subject": "积分周报：{week_label}",
        "points_digest.body": (
            "### 积分周报 {week_label}\n"
            "{name}，你好！以下是你本周的积分情况：\n"
            "- 本周获得：**{earned}**\n"
            "{optional}"
            "- 当前余额：**{balance}**\n"
            "- {days} 天内将过期：{expiring}{expiring_details}\n"
            "{redemptions}"
        ),
        "points_digest.adjusted": "- 积分更正：{points}\n",
        "points_digest.expired": "- 本周已过期：{points}\n",
        "points_digest.expiring_details": "（{details}）",
        "points_digest.expiring_day": "{day} 到期 {points}",
        "points_digest.redemptions": "\n**本周兑换**\n{lines}\n",
        "points_digest.granted": "- `{item}`：**已兑换**，使用 {points} 积分{leave}",
        "points_digest.leave": "，获得 {hours} 小时假期（已计入工资导出）",
        "points_digest.refused": "- `{item}`：**未兑换**，原因：{reason}",
        "points_digest.more": "- ……另有 {count} 条兑换记录",
    },
    "en": {
        "week_label": "{iso_week} (from {monday})",
        "employee_weekly.subject": "Your weekly result: {week_label}",
        "employee_weekly.body": (
            "### Weekly result {week_label}\n"
            "Hi {name}, here is how your week went:\n"
            "- Goal attainment: **{attainment}**\n"
            "- Band: **{band}**\n"
            "- Weekly bonus: **{bonus}**\n"
            "- Activity points: {points}\n"
        ),
        "manager_at_risk.subject": "Team members at risk ({count}): {week_label}",
        "manager_at_risk.body": (
            "### Team members at risk {week_label}\n"
            "These {count} people reached less than 80% of their goals this week; please check in with them:\n"
            "{members}\n"
            "> Attendance reasons are context, not a verdict.\n"
        ),
        "manager_at_risk.member": "- {name} ({employee_id}): attainment **{attainment}**; attendance: {reasons}",
        "manager_at_risk.more": "- …and {count} more, see the dashboard",
        "manager_at_risk.no_reasons": "no issues",
        "export_ready.subject": "Payroll export ready: {pay_period}",
        "export_ready.body": (
            "### Payroll export ready {pay_period}\n"
            "- File: `{file_name}`\n"
            "- Rows: {rows}\n"
            "- Grand total: **{grand_total}**\n"
            "- Plan version: {plan_version}\n"
            "{rejected}"
            "\n**Totals by component**\n"
            "{components}\n"
        ),
        "export_ready.component": "- {component_code}: {amount} (rows: {rows}{quantity})",
        "export_ready.quantity": ", quantity {quantity} {unit}",
        "export_ready.rejected": (
            "- **Attention**: lines not exported: {count} (no payroll id, or not in the employee directory); "
            "see the quarantine\n"
        ),
        "points_digest.subject": "Your points this week: {week_label}",
        "points_digest.body": (
            "### Points digest {week_label}\n"
            "Hi {name}, here are your activity points this week:\n"
            "- Earned this week: **{earned}**\n"
            "{optional}"
            "- Balance: **{balance}**\n"
            "- Expiring within {days} days: {expiring}{expiring_details}\n"
            "{redemptions}"
        ),
        "points_digest.adjusted": "- Corrections: {points}\n",
        "points_digest.expired": "- Expired this week: {points}\n",
        "points_digest.expiring_details": " ({details})",
        "points_digest.expiring_day": "{points} on {day}",
        "points_digest.redemptions": "\n**Redemptions this week**\n{lines}\n",
        "points_digest.granted": "- `{item}`: **granted**, {points} points{leave}",
        "points_digest.leave": "; {hours} h of leave (included in the payroll export)",
        "points_digest.refused": "- `{item}`: **refused**: {reason}",
        "points_digest.more": "- …and {count} more",
    },
}

_BANDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "high_performer": "卓越",
        "exceeded": "超额完成",
        "on_track": "达标",
        "improving": "进步中",
        "at_risk": "需关注",
    },
    "en": {
        "high_performer": "High performer",
        "exceeded": "Exceeded",
        "on_track": "On track",
        "improving": "Improving",
        "at_risk": "At risk",
    },
}

# Reason codes look like ABSENT_2D / LATE_3X: a kind, a count, D for days or X for times; keyed by kind + unit.
_REASON_CODE = re.compile(r"(?P<kind>[A-Z_]+?)_(?P<count>\d+)(?P<unit>[DX])")
_REASONS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "ABSENT_D": "缺勤 {count} 天",
        "LATE_X": "迟到 {count} 次",
        "EARLY_LEAVE_X": "早退 {count} 次",
        "LEAVE_D": "请假 {count} 天",
        "MISSING_CHECKOUT_D": "缺卡（未签退）{count} 天",
    },
    "en": {
        "ABSENT_D": "absent {count} day(s)",
        "LATE_X": "late {count} time(s)",
        "EARLY_LEAVE_X": "left early {count} time(s)",
        "LEAVE_D": "on leave {count} day(s)",
        "MISSING_CHECKOUT_D": "missing check-out {count} day(s)",
    },
}
_REASON_SEPARATOR = {"zh-CN": "、", "en": ", "}
# Characters that would turn a person's name into markup (or a WeCom <font>/<@mention> tag).
_MARKDOWN_ESCAPES = str.maketrans(
    {"*": "＊", "_": "＿", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞", "#": "＃"}
)


def check_locale(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"locale {locale!r} is not supported; use one of {SUPPORTED_LOCALES}")
    return locale


def render(locale: str, key: str, **fields: object) -> str:
    """Fill template ``key`` of ``locale``; a missing field is a KeyError naming it."""
    return _TEMPLATES[check_locale(locale)][key].format(**fields)


def week_label(week_start: date, locale: str) -> str:
    year, week, _ = week_start.isocalendar()
    return render(locale, "week_label", iso_week=f"{year}-W{week:02d}", monday=week_start.isoformat())


def band_label(band: str, locale: str) -> str:
    """The localised band name; an unknown band is shown as its code rather than hidden."""
    return _BANDS[check_locale(locale)].get(band, band)


def reason_label(code: str, locale: str) -> str:
    """``ABSENT_2D`` -> ``缺勤 2 天`` / ``absent 2 day(s)``; unknown codes are shown as they are."""
    match = _REASON_CODE.fullmatch(code)
    template = _REASONS[check_locale(locale)].get(f"{match['kind']}_{match['unit']}") if match else None
    return template.format(count=int(match["count"])) if template and match else code


def list_separator(locale: str) -> str:
    """How a short list is joined inside a sentence: ``、`` in Chinese, ``, `` in English."""
    return _REASON_SEPARATOR[check_locale(locale)]


def reasons_text(codes: tuple[str, ...], locale: str) -> str:
    if not codes:
        return render(locale, "manager_at_risk.no_reasons")
    return _REASON_SEPARATOR[check_locale(locale)].join(reason_label(code, locale) for code in codes)


def two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_number(value: Decimal) -> str:
    """``1234.5`` -> ``1,234.50``: 2 places, half up, thousands separated, never scientific."""
    return f"{two_places(Decimal(value)) + 0:,.2f}"


def format_money(amount: Decimal, currency: str | None) -> str:
    return f"{format_number(amount)} {currency}" if currency else format_number(amount)


def format_ratio_percent(ratio: Decimal) -> str:
    """An attainment ratio as a percentage with 2 places: ``1.13667`` -> ``113.67%``."""
    return f"{format_number(Decimal(ratio) * 100)}%"


def format_points(points: int | Decimal) -> str:
    """Points are whole numbers in the default plan; a fractional balance still shows 2 places."""
    value = Decimal(points)
    return f"{int(value):,}" if value == value.to_integral_value() else format_number(value)


def md_text(value: str) -> str:
    """Free text (a person's name) made inert inside bot markdown: markup characters become full-width."""
    return value.translate(_MARKDOWN_ESCAPES).replace("\n", " ")
