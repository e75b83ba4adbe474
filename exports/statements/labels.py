"""The statement's words in zh-CN and en: headings, field names and, per step, what it computes and how.

Band names, attendance reasons, week labels and number formats come from ``exports.templates`` so a statement
says exactly what the weekly notification said.
"""

from __future__ import annotations

from exports.templates import check_locale

_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "个人薪酬明细说明",
        "intro": "本说明列出本期每一笔金额的来源：所用方案版本、输入数据、每一步计算，以及背后的考勤与目标事实。",
        "employee": "员工",
        "employee_id": "员工编号",
        "name": "姓名",
        "payroll_id": "工资号",
        "department": "部门",
        "role": "岗位",
        "pay_period": "发薪期间",
        "weeks": "包含周次",
        "plan": "激励方案",
        "plan_version": "方案版本",
        "plan_hash": "方案指纹（SHA-256）",
        "summary": "本期汇总",
        "grand_total": "本期合计",
        "component": "项目",
        "amount": "金额",
        "quantity": "数量",
        "week": "周次",
        "explained_in": "计算说明",
        "quantity_totals": "时长合计",
        "leave_from_points": "积分兑换假期",
        "redemption_requests": "兑换申请",
        "redeemed_leave_heading": "积分兑换假期",
        "redeemed_item": "兑换项目",
        "points_spent": "所用积分",
        "leave_hours": "假期时长",
        "redeemed_leave_note": "以活动积分兑换的带薪假期，只计时长，不计金额。",
        "no_lines": "本期没有需要发放的项目。",
        "week_heading": "周次：{week}",
        "goal_heading": "周目标达成",
        "metric": "指标",
        "unit": "单位",
        "direction": "方向",
        "target": "目标",
        "actual": "实际",
        "weight": "权重",
        "ratio": "比率",
        "capped_ratio": "计奖比率",
        "capped_note": "比率计奖时封顶为 {cap}；未封顶的比率只用于标记。",
        "issues": "来源",
        "higher_is_better": "越高越好",
        "lower_is_better": "越低越好",
        "band": "评级",
        "band_rule": "评级依据",
        "previous_attainment": "上周达成率",
        "streak_weeks": "连续达标周数",
        "excellence_certificate": "优秀证书",
        "yes": "是",
        "no": "否",
        "weakest_metric": "最需提升的指标",
        "attendance_reasons": "考勤原因",
        "steps": "计算步骤",
        "joint_heading": "设计/运营协同激励",
        "sub_score": "指标得分",
        "weighted": "加权",
        "metric_formula": "指标得分 = 100 × min(实际 / 目标, {cap})；运营评分 = 评分 / 5 × 100。",
        "joint_note": "得分显示保留 2 位小数；激励按未取整的得分计算，到分四舍五入。",
        "pool_heading": "项目奖金池",
        "project": "项目",
        "revenue": "收入",
        "cost": "成本",
        "ad_spend": "广告费",
        "profit": "利润",
        "pool": "奖金池",
        "role_pool": "角色奖金池",
        "credited_orders": "本人计入订单",
        "role_credited_orders": "本角色计入订单合计",
        "attendance_heading": "考勤",
        "days_scheduled": "排班天数",
        "scheduled_hours": "排班工时",
        "worked_hours": "实际工时",
        "overtime_hours": "加班时长",
        "weekly_hours_cap": "每周工时上限",
        "days_present": "正常出勤天数",
        "days_absent": "缺勤天数",
        "days_late": "迟到次数",
        "late_minutes": "迟到分钟",
        "days_early_leave": "早退次数",
        "early_leave_minutes": "早退分钟",
        "days_on_leave": "请假天数",
        "days_missing_checkout": "缺卡天数",
        "approximate_note": (
            "≈：显示的数字经过四舍五入（结果按精确值计算），或按最大余数法分配了分位，手工复算可能有微小差异。"
        ),
        "none": "无",
        "footer": (
            "每一行金额都标注了来源编号，可据此在计算说明中找到对应的输入与步骤。"
            "方案版本与指纹用于核对所用规则；如对结果仍有疑问，请将本说明转给 HR。"
        ),
    },
    "en": {
        "title": "Pay statement",
        "intro": (
            "This statement shows where every amount of the period comes from: the plan version used, the inputs, "
            "each step of the calculation, and the attendance and goal facts behind it."
        ),
        "employee": "Employee",
        "employee_id": "Employee ID",
        "name": "Name",
        "payroll_id": "Payroll ID",
        "department": "Department",
        "role": "Role",
        "pay_period": "Pay period",
        "weeks": "Weeks",
        "plan": "Incentive plan",
        "plan_version": "Plan version",
        "plan_hash": "Plan fingerprint (SHA-256)",
        "summary": "Summary",
        "grand_total": "Total for the period",
        "component": "Component",
        "amount": "Amount",
        "quantity": "Quantity",
        "week": "Week",
        "explained_in": "Explained in",
        "quantity_totals": "Hours in total",
        "leave_from_points": "Leave from points",
        "redemption_requests": "Redemption requests",
        "redeemed_leave_heading": "Leave from points",
        "redeemed_item": "Item",
        "points_spent": "Points spent",
        "leave_hours": "Leave hours",
        "redeemed_leave_note": "Paid leave bought with activity points: hours only, no money.",
        "no_lines": "Nothing is paid in this period.",
        "week_heading": "Week {week}",
        "goal_heading": "Weekly goals",
        "metric": "Metric",
        "unit": "Unit",
        "direction": "Direction",
        "target": "Target",
        "actual": "Actual",
        "weight": "Weight",
        "ratio": "Ratio",
        "capped_ratio": "Ratio for pay",
        "capped_note": "For pay a ratio is capped at {cap}; the uncapped ratio is only used for flags.",
        "issues": "Source",
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "band": "Band",
        "band_rule": "Why this band",
        "previous_attainment": "Last week's attainment",
        "streak_weeks": "Weeks in a row at target",
        "excellence_certificate": "Excellence certificate",
        "yes": "yes",
        "no": "no",
        "weakest_metric": "Metric to improve first",
        "attendance_reasons": "Attendance reasons",
        "steps": "Calculation",
        "joint_heading": "Joint designer / operator incentive",
        "sub_score": "Metric score",
        "weighted": "Weighted",
        "metric_formula": "Metric score = 100 × min(actual / target, {cap}); operator rating = rating / 5 × 100.",
        "joint_note": "Scores are shown with 2 decimals; pay uses the unrounded score, rounded to the cent.",
        "pool_heading": "Project bonus pool",
        "project": "Project",
        "revenue": "Revenue",
        "cost": "Cost",
        "ad_spend": "Ad spend",
        "profit": "Profit",
        "pool": "Pool",
        "role_pool": "Role pool",
        "credited_orders": "Your credited orders",
        "role_credited_orders": "Credited orders of the role",
        "attendance_heading": "Attendance",
        "days_scheduled": "Days rostered",
        "scheduled_hours": "Hours rostered",
        "worked_hours": "Hours worked",
        "overtime_hours": "Overtime hours",
        "weekly_hours_cap": "Weekly hours cap",
        "days_present": "Days present",
        "days_absent": "Days absent",
        "days_late": "Days late",
        "late_minutes": "Minutes late",
        "days_early_leave": "Days left early",
        "early_leave_minutes": "Minutes left early",
        "days_on_leave": "Days on leave",
        "days_missing_checkout": "Days without check-out",
        "approximate_note": (
            "≈: the numbers shown are rounded (the result was computed from exact values) or cents were handed out "
            "by largest remainder, so redoing the arithmetic by hand can differ slightly."
        ),
        "none": "none",
        "footer": (
            "Every amount names the calculation it comes from, so you can follow it to its inputs and steps. "
            "The plan version and fingerprint identify the rules used; if something still looks wrong, forward "
            "this statement to HR."
        ),
    },
}

# Payroll components by the plan's name for them (the codes themselves are configurable in the plan).
_COMPONENTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "weekly_goal_bonus": "周目标奖金",
        "joint_incentive": "协同激励",
        "project_pool_share": "项目奖金池分成",
        "overtime_hours": "加班时长",
        "extra_leave_hours": "额外假期",
        "redeemed_leave_hours": "积分兑换假期",
    },
    "en": {
        "weekly_goal_bonus": "Weekly goal bonus",
        "joint_incentive": "Joint incentive",
        "project_pool_share": "Project pool share",
        "overtime_hours": "Overtime hours",
        "extra_leave_hours": "Extra leave",
        "redeemed_leave_hours": "Leave from points",
    },
}

_ROLES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "designer": "设计师",
        "operator": "运营",
        "engineer": "工程师",
        "customer_success": "客户成功",
        "customer_service": "客服",
        "functional": "职能",
    },
    "en": {
        "designer": "Designer",
        "operator": "Operator",
        "engineer": "Engineer",
        "customer_success": "Customer success",
        "customer_service": "Customer service",
        "functional": "Functional",
    },
}

# Joint-incentive components and metrics.
_SCORES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "design_quality": "设计质量",
        "conversion_contribution": "转化贡献",
        "conversion_effect": "转化效果",
        "design_collaboration": "设计协同",
        "operator_rating": "运营评分",
        "favorites_rate": "收藏率",
        "ctr": "点击率",
        "order_rate": "下单转化率",
        "repurchase_rate": "复购率",
        "avg_dwell_seconds": "平均停留秒数",
        "department_conversion_rate": "部门整体转化率",
    },
    "en": {
        "design_quality": "Design quality",
        "conversion_contribution": "Conversion contribution",
        "conversion_effect": "Conversion effect",
        "design_collaboration": "Design collaboration",
        "operator_rating": "Operator rating",
        "favorites_rate": "Favorites rate",
        "ctr": "Click-through rate",
        "order_rate": "Order rate",
        "repurchase_rate": "Repurchase rate",
        "avg_dwell_seconds": "Average dwell seconds",
        "department_conversion_rate": "Department conversion rate",
    },
}

# Per step: (what it is, the rule in words). The numbers themselves come from the step's working.
_STEPS: dict[str, dict[str, tuple[str, str]]] = {
    "zh-CN": {
        "attainment": ("达成率（精确值）", "Σ(权重 × 计奖比率) / Σ权重"),
        "attainment_reported": ("达成率（公布值）", "精确值四舍五入；评级按此值判断"),
        "attainment_uncapped": ("未封顶达成率", "Σ(权重 × 比率) / Σ权重，只用于标记"),
        "payout_multiplier": ("奖金系数", "在奖金曲线的相邻两点之间线性插值"),
        "payout_multiplier_below": ("奖金系数", "低于奖金曲线起点，系数为 0"),
        "payout_multiplier_flat": ("奖金系数", "超过奖金曲线终点，取终点系数"),
        "bonus": ("周奖金", "奖金基数 × 奖金系数，到分四舍五入（按精确达成率计算）"),
        "extra_leave_hours": ("额外假期（小时）", "达成率不低于“超额完成”线时发放"),
        "design_quality": ("设计质量", "Σ(权重 × 指标得分)"),
        "conversion_contribution": ("转化贡献", "Σ(权重 × 指标得分)"),
        "conversion_effect": ("转化效果", "部门整体转化率的指标得分"),
        "design_collaboration": ("设计协同", "Σ(权重 × 指标得分)"),
        "joint_score": ("综合得分", "Σ(权重 × 分项得分)"),
        "joint_pay": ("协同激励", "浮动基数 × 综合得分 / 100，到分四舍五入"),
        "profit": ("项目利润", "收入 − 成本 − 广告费"),
        "pool": ("奖金池", "利润为正时，利润 × 提取比例，到分四舍五入"),
        "role_pool": ("角色奖金池", "奖金池 × 角色权重（最大余数法取整到分）"),
        "role_pool_whole": ("角色奖金池", "另一角色本周没有计入订单，整个奖金池归本角色"),
        "pool_share": (
            "个人分成",
            "角色奖金池 × 本人计入订单 / 本角色计入订单合计（最大余数法取整，各份合计恰好等于奖金池）",
        ),
        "overtime_hours": ("加班时长", "max(实际工作分钟 − 每周工时上限 × 60, 0) / 60，到 0.01 小时"),
    },
    "en": {
        "attainment": ("Attainment (exact)", "Σ(weight × ratio for pay) / Σ weight"),
        "attainment_reported": ("Attainment (as reported)", "the exact value rounded; the band is judged on it"),
        "attainment_uncapped": ("Attainment uncapped", "Σ(weight × ratio) / Σ weight, only used for flags"),
        "payout_multiplier": ("Payout multiplier", "linear between the two neighbouring points of the payout curve"),
        "payout_multiplier_below": ("Payout multiplier", "below the payout curve's first point: 0"),
        "payout_multiplier_flat": ("Payout multiplier", "beyond the payout curve's last point: its multiplier"),
        "bonus": ("Weekly bonus", "bonus base × payout multiplier, rounded to the cent (from the exact attainment)"),
        "extra_leave_hours": ("Extra leave (hours)", "granted when attainment reaches the 'exceeded' threshold"),
        "design_quality": ("Design quality", "Σ(weight × metric score)"),
        "conversion_contribution": ("Conversion contribution", "Σ(weight × metric score)"),
        "conversion_effect": ("Conversion effect", "the metric score of the department's conversion rate"),
        "design_collaboration": ("Design collaboration", "Σ(weight × metric score)"),
        "joint_score": ("Score", "Σ(weight × component)"),
        "joint_pay": ("Joint incentive", "variable base × score / 100, rounded to the cent"),
        "profit": ("Project profit", "revenue − cost − ad spend"),
        "pool": ("Pool", "share of a positive profit, rounded to the cent"),
        "role_pool": ("Role pool", "pool × the role's weight (largest-remainder rounding to the cent)"),
        "role_pool_whole": ("Role pool", "the other role had no credited orders this week: the whole pool"),
        "pool_share": (
            "Your share",
            "role pool × your credited orders / the role's credited orders (largest-remainder rounding, so the "
            "shares add up to the pool exactly)",
        ),
        "overtime_hours": ("Overtime hours", "max(minutes worked − weekly hours cap × 60, 0) / 60, to 0.01 h"),
    },
}


def labels(locale: str) -> dict[str, str]:
    return _LABELS[check_locale(locale)]


def component_label(component: str, locale: str) -> str:
    return _COMPONENTS[check_locale(locale)].get(component, component)


def role_label(role: str, locale: str) -> str:
    return _ROLES[check_locale(locale)].get(role, role)


def score_label(name: str, locale: str) -> str:
    return _SCORES[check_locale(locale)].get(name, name)


def step_text(name: str, locale: str) -> tuple[str, str]:
    """(label, rule in words) of a step; an unknown step is shown by its name rather than hidden."""
    return _STEPS[check_locale(locale)].get(name, (name, ""))
