"""The queued half of incremental flags: the worker runs the rules over what a write touched."""

from __future__ import annotations

from django.tasks import task


@task()
def recompute_touched_task(touched: dict[str, list[str]]) -> dict:
    """Recompute the flags the records in ``touched`` ({model label: [ids]}) reach."""
    from panhuo.flags.engine import recompute_touched

    out = recompute_touched(touched)
    return {"opened": out.opened, "updated": out.updated, "cleared": out.cleared}
