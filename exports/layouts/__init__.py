"""Payroll file layouts: each turns a period's accepted lines into the bytes one kind of payroll system imports."""
