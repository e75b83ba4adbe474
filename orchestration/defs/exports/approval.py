"""HR approves a pay period in the Dagster UI: launch ``approve_pay_period`` with the target, period and your name.

The same step as ``hrhub payroll approve``: the period's pending draft is approved and every approved draft of the
period is released to the payroll import folder. Nothing reaches that folder without an approval.
"""

import dagster as dg

from exports.payroll_ledger import ApprovalError
from orchestration.lib.payroll_approval import approve_and_release


class PayPeriodApproval(dg.Config):
    target: str
    pay_period: str  # YYYY-MM (monthly targets) or the week's Monday (weekly targets)
    approver: str
    sha256: str | None = None  # the draft reviewed; refused if another draft is pending


@dg.op(description="Approve the period's pending payroll draft and release the approved files.")
def approve_and_release_payroll(context: dg.OpExecutionContext, config: PayPeriodApproval) -> list[str]:
    try:
        released = approve_and_release(config.target, config.pay_period, config.approver, config.sha256)
    except ApprovalError as error:
        raise dg.Failure(description=f"not approved: {error}") from error
    for path in released:
        context.log.info(f"released {path}")
    return [str(path) for path in released]


@dg.job(description="HR: approve a pay period's payroll draft and release it (fill target, pay_period, approver).")
def approve_pay_period() -> None:
    approve_and_release_payroll()
