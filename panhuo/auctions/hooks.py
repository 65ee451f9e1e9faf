"""The hooks auctions fills in the layers below it (installed by AuctionsConfig.ready): a
disposal project's page links to the lot of each of its listing rounds (disposal.links)."""

from __future__ import annotations

from panhuo.disposal.links import Link, project_links


def lot_links(*, user, project) -> list[Link]:
    """The project's lots ``user`` may open, by round."""
    from panhuo.auctions.selectors import lots_for

    lots = lots_for(user).filter(round__project=project).order_by("round__number")
    return [Link(str(lot), lot.get_absolute_url()) for lot in lots]


def install() -> None:
    project_links.register("auctions", lot_links)
