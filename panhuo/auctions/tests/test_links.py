"""Staff find the lots: a project's page links to the lot of its listing round (through
disposal's project_links hook, which auctions fills), and the footer links the office's lot list
for the roles that may read lots."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from panhuo.auctions.tests.support import listed_project, make_bidder, make_lot
from panhuo.disposal.links import links_for, project_links


def _get(user, url):
    c = Client(headers={"accept-language": "en"})
    c.force_login(user)
    return c.get(url)


def test_auctions_fills_the_hook():
    assert project_links.get("auctions") is not None


@pytest.mark.parametrize("who", ["office", "head", "deputy", "finance", "auditor"])
def test_a_project_with_a_lot_links_to_it(world, who):
    lot = make_lot(world)
    project = lot.round.project
    page = _get(world.user(who), project.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="project-links"' in page.text
    assert f'href="{lot.get_absolute_url()}"' in page.text
    assert [link.url for link in links_for(world.user(who), project)] == [lot.get_absolute_url()]


def test_a_project_without_a_lot_has_no_links(world):
    project = listed_project(world)
    page = _get(world.user("office"), project.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="project-links"' not in page.text
    assert "/auctions/" not in page.text.split("<footer")[0]
    assert links_for(world.user("office"), project) == []


def test_another_projects_lot_is_not_linked(world):
    lot = make_lot(world)
    other = listed_project(world)
    assert links_for(world.user("office"), other) == []
    page = _get(world.user("office"), other.get_absolute_url())
    assert lot.get_absolute_url() not in page.text


@pytest.mark.parametrize("who", ["office", "head", "deputy", "finance", "auditor"])
def test_the_footer_links_the_lot_list_and_the_bidder_list_for_staff(world, who):
    page = _get(world.user(who), reverse("dashboard"))
    footer = page.text.split('<footer class="footer">')[1]
    assert f'href="{reverse("lot-list")}"' in footer
    assert f'href="{reverse("bidder-list")}"' in footer
    # and the page it links to opens for them
    assert _get(world.user(who), reverse("lot-list")).status_code == 200


def test_a_bidder_has_no_link_to_the_office_lists(world):
    user, _bidder = make_bidder(world)
    page = _get(user, reverse("dashboard"))
    footer = page.text.split('<footer class="footer">')[1]
    assert f'href="{reverse("lot-list")}"' not in footer
    assert f'href="{reverse("bidder-list")}"' not in footer
