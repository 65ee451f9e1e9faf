"""Debts: the register of debts, their repayment schedules, the yearly fiscal figures and the
risk indicators measured against them, the debt import, and their pages."""
