"""The queued half of incremental flags: the worker runs the rules over what a write touched."""

from __future__ import annotations

from django.tasks import task


@task()
def recompute_touched_task(
    touched: dict[str, list[str]], fields: dict[str, list[str]] | None = None
) -> dict:
    """Recompute the flags the records in ``touched`` ({model label: [ids]}) reach; ``fields``
    ({model label: [fields changed]}, where known) narrows it to the rules reading them."""
    from panhuo.flags.engine import recompute_touched

    out = recompute_touched(touched, fields)
    return {"opened": out.opened, "updated": out.updated, "cleared": out.cleared}
