"""The hooks auctions fills in the layers below it (installed by AuctionsConfig.ready): a
disposal project's page links to the lot of each of its listing rounds (disposal.links)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from panhuo.disposal.links import Link, project_links
from panhuo.organisation import policy


def lot_links(*, user, project) -> list[Link]:
    """The project's lots ``user`` may open, by round."""
    from panhuo.auctions.selectors import lots_for

    lots = lots_for(user).filter(round__project=project).order_by("round__number")
    links = [Link(str(lot), lot.get_absolute_url()) for lot in lots]
    if project.channel == "exchange" and policy.allowed(
        user, "lot", "award", jurisdiction=project.jurisdiction
    ):
        # The office sends the listing to the exchange and brings its result back.
        url = reverse("exchange-result", args=[project.pk])
        links.append(Link(str(_("Outside exchange: listing package and result")), url))
    return links


def install() -> None:
    project_links.register("auctions", lot_links)
