"""A real place for the site administrator's tests: Shandong → Jinan → Lixia and Shizhong
districts (GB/T 2260 codes), units with valid credit codes, and site administrators over Jinan
and over Lixia only."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from panhuo.core.testing import make_user
from panhuo.organisation.models import Jurisdiction, Role, Unit, User

#: Valid credit codes (GB 32100) registered in each district.
LIXIA_ORGAN = "113701020043011261"
LIXIA_CENTRE = "12370102495214704Q"
LIXIA_FREE = "12370102495214705U"  # no unit has it yet
SHIZHONG_ORGAN = "11370103004301126F"
SHIZHONG_FREE = "11370103004302911K"


@dataclass
class Place:
    province: Jurisdiction
    jinan: Jurisdiction
    lixia: Jurisdiction
    shizhong: Jurisdiction
    organ: Unit
    centre: Unit
    shizhong_organ: Unit
    admin: User  # site administrator over Jinan
    lixia_admin: User  # site administrator over Lixia only
    officer: User  # a unit asset officer of the centre
    lixia_head: User

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def build_place() -> Place:
    province = Jurisdiction.objects.create(code="370000", name="山东省", level="province")
    jinan = Jurisdiction.objects.create(code="370100", name="济南市", level="city", parent=province)
    lixia = Jurisdiction.objects.create(
        code="370102", name="历下区", name_en="Lixia District", level="district", parent=jinan
    )
    shizhong = Jurisdiction.objects.create(
        code="370103", name="市中区", level="district", parent=jinan
    )
    organ = Unit.objects.create(
        code=LIXIA_ORGAN, credit_code=LIXIA_ORGAN, name="历下区财政局", kind="department",
        jurisdiction=lixia,
    )  # fmt: skip
    centre = Unit.objects.create(
        code=LIXIA_CENTRE, credit_code=LIXIA_CENTRE, name="机关事务服务中心", kind="institution",
        jurisdiction=lixia, supervisor=organ,
    )  # fmt: skip
    shizhong_organ = Unit.objects.create(
        code=SHIZHONG_ORGAN, credit_code=SHIZHONG_ORGAN, name="市中区财政局", kind="department",
        jurisdiction=shizhong,
    )  # fmt: skip
    return Place(
        province=province,
        jinan=jinan,
        lixia=lixia,
        shizhong=shizhong,
        organ=organ,
        centre=centre,
        shizhong_organ=shizhong_organ,
        admin=make_user("jinan_admin", Role.SITE_ADMIN, jinan),
        lixia_admin=make_user("lixia_admin", Role.SITE_ADMIN, lixia),
        officer=make_user("centre_officer", Role.UNIT_OFFICER, lixia, centre),
        lixia_head=make_user("lixia_head", Role.HEAD, lixia),
    )
