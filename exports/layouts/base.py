"""What every payroll layout shares: who can be paid through a file, and one cell's value per component."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from exports.payroll import PayrollLineRecord, RejectedLine, reject, rejection_reason, sort_rejected
from exports.targets import Measure


@dataclass(frozen=True)
class Payee:
    """One data row of a wide file: an employee with a payroll id and their lines of the period."""

    payroll_id: str
    employee_id: str
    name: str
    lines: tuple[PayrollLineRecord, ...]

    def value(self, component_code: str, measure: Measure) -> Decimal | None:
        """The component's cell: summed amounts or hours (several plan versions share one cell); None if absent."""
        lines = [line for line in self.lines if line.component_code == component_code]
        if not lines:
            return None
        if measure == "hours":
            return sum((line.quantity or Decimal(0) for line in lines), Decimal(0))
        return sum((line.amount for line in lines), Decimal(0))


@dataclass(frozen=True)
class LayoutOutput:
    content: bytes
    rows: int  # data rows in the file (the header not counted)


def split_payees(
    lines: Iterable[PayrollLineRecord],
    employees: Mapping[str, tuple[str | None, str]],
    payroll_id_problem: Callable[[str], str | None] = lambda _: None,
) -> tuple[list[Payee], list[RejectedLine]]:
    """Group lines per employee; reject (with the reason) those that cannot be paid through the file.

    Rejection is the long CSV's rule (no payroll id, or not in the directory) plus whatever ``payroll_id_problem``
    says about an id a layout cannot carry. Two employees sharing one payroll id would merge into one row and
    pay one person twice, so that is an error rather than a rejection. Payees come sorted by payroll id.
    """
    accepted: dict[str, list[PayrollLineRecord]] = defaultdict(list)
    rejected: list[RejectedLine] = []
    for line in lines:
        reason = rejection_reason(line.employee_id, employees)
        if reason is None:
            reason = payroll_id_problem(str(employees[line.employee_id][0]).strip())
        if reason is not None:
            rejected.append(reject(line, reason))
        else:
            accepted[line.employee_id].append(line)

    owners: dict[str, str] = {}
    payees = []
    for employee_id, employee_lines in accepted.items():
        payroll_id, name = employees[employee_id]
        payroll_id = str(payroll_id).strip()
        if payroll_id in owners:
            raise ValueError(f"payroll id {payroll_id} belongs to both {owners[payroll_id]} and {employee_id}")
        owners[payroll_id] = employee_id
        payees.append(Payee(payroll_id, employee_id, str(name or ""), tuple(employee_lines)))
    payees.sort(key=lambda payee: (payee.payroll_id, payee.employee_id))
    return payees, sort_rejected(rejected)


def component_measure(component_code: str, lines: Iterable[PayrollLineRecord]) -> Measure:
    """Hours if the component's lines count hours (quantity, zero amount), amount if they carry money only.

    A cell holds one number, so a component whose lines carry both money and hours cannot be put in one cell.
    """
    lines = [line for line in lines if line.component_code == component_code]
    has_hours = any(line.quantity is not None for line in lines)
    has_money = any(line.amount != 0 for line in lines)
    if has_hours and has_money:
        raise ValueError(f"component {component_code} carries both money and hours; one cell cannot show both")
    return "hours" if has_hours else "amount"


def check_measure(target: str, component_code: str, measure: Measure, lines: Iterable[PayrollLineRecord]) -> None:
    """A column of ``measure`` would lose the other half of a line: refuse instead of dropping it."""
    for line in lines:
        if line.component_code != component_code:
            continue
        if measure == "hours" and line.amount != 0:
            raise ValueError(
                f"payroll target {target!r} maps {component_code} to an hours column, but {line.source_ref} "
                f"carries money ({line.amount})"
            )
        if measure == "amount" and line.quantity:
            raise ValueError(
                f"payroll target {target!r} maps {component_code} to a money column, but {line.source_ref} "
                f"carries hours ({line.quantity})"
            )


@dataclass(frozen=True)
class RenderedPayroll:
    """A rendered payroll file of any layout, with what its manifest describes (``manifest.build_manifest``)."""

    content: bytes
    file_name: str
    layout: str
    target: str
    kind: str  # "full" or "adjustment"
    pay_period: str
    plan_version: str  # several versions joined with '+' when the period spans a plan change
    currency: str | None
    rows: int
    lines: tuple[PayrollLineRecord, ...]  # the lines written to the file (rejected ones are not)
    rejected: tuple[RejectedLine, ...]
    adjusts_sha256: str | None = None
    adjustment_number: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()
