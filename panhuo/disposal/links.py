"""Links a project's page shows to the records the apps above disposal keep about it (e.g. the
auction lot of each listing round). Each app registers ``handler(user=, project=)`` returning
the :class:`Link` objects ``user`` may follow, in its ``AppConfig.ready()`` (auctions/hooks.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from panhuo.core.hooks import Hook


@dataclass(frozen=True)
class Link:
    label: str
    url: str


#: ``handler(user=, project=) -> list[Link]``, filled by the apps above disposal.
project_links = Hook("disposal.project_links")


def links_for(user, project) -> list[Link]:
    """Every registered app's links for ``project`` as ``user`` may see them, in order."""
    return [link for links in project_links.call(user=user, project=project) for link in links]
