"""The demo's asset classification: every demo asset carries a code of the list.

Land, buildings, vehicles and equipment take the shipped GB/T 14885-2010 classes. Equity,
operating rights, receivables and data have no class in GB/T 14885 (it classifies fixed and
like assets), so the demo district loads its own small supplement, a 门类 9 that it states as
its own edition, as a real district would for what the national list leaves out.
"""

from __future__ import annotations

from pathlib import Path

from panhuo.register.classification import load_classification
from panhuo.register.models import AssetKind

LOCAL = Path(__file__).parent / "data" / "classification_local.csv"
LOCAL_EDITION = "演示区地方补充代码（非国家标准）"

#: The code each kind of demo asset is classified under.
KIND_CLASSIFICATION = {
    AssetKind.LAND: "1010000",  # 土地、海域及无居民海岛
    AssetKind.BUILDING: "1020000",  # 房屋
    AssetKind.VEHICLE: "2030000",  # 车辆
    AssetKind.EQUIPMENT: "2",  # 通用设备
    AssetKind.NATURAL_RESOURCE: "1010000",  # rights over land and sea areas
    AssetKind.EQUITY: "9010000",
    AssetKind.OPERATING_RIGHT: "9020000",
    AssetKind.RECEIVABLE: "9030000",
    AssetKind.DATA: "9040000",
}


def load_local_codes() -> None:
    """Load the district's supplement (through the register's loader, audited)."""
    with LOCAL.open("rb") as f:
        load_classification(f, edition=LOCAL_EDITION, actor=None, filename=LOCAL.name)
