"""What every gate demo does: take a step that a gate must refuse, and say the refusal."""

from __future__ import annotations

from collections.abc import Callable

from panhuo.core.gates import GateRefused


def refused(seeder, step: Callable[[], object], said: str, rule: str = "") -> str:
    """Take ``step``, which a gate refuses (the gate ``rule`` when given: another gate's
    refusal goes up again); say ``said: <the refusal>`` and return the gate's code. A step
    that goes through means a broken gate."""
    try:
        step()
    except GateRefused as exc:
        if rule and exc.rule.code != rule:
            raise
        seeder.say(f"{said}: {exc.text}")
        return exc.rule.code
    raise AssertionError(f"{said}: the step went through {rule or 'every gate'}")
