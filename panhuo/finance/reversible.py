"""Entries undone by a reversal, never edited: an allocation and a repayment each."""

from __future__ import annotations

from decimal import Decimal


class Reversible:
    """For a model with ``amount`` and ``reverses`` (the entry a reversal undoes, in full):
    what the entry adds to a sum of its kind."""

    amount: Decimal
    reverses_id: int | None

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.reverses_id else self.amount
