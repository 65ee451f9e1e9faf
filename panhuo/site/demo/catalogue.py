"""The fixed vocabulary of the demo district: places, units, people and name patterns.

Everything here is data, not logic; ``seed`` draws from it with one seeded random generator, so
the same seed always gives the same district. The city and its districts are fictional; the
coordinates sit around a real-looking city centre on the lower Yangtze.
"""

from __future__ import annotations

import datetime as dt

from panhuo.disposal.models import Channel
from panhuo.organisation.models import Role
from panhuo.register.models import AssetKind, AssetStatus, Criticality

#: The data's own "today": every date in the demo is at or before it, never the real today.
REFERENCE_DATE = dt.date(2026, 6, 30)
DEFAULT_SEED = 20260630

#: The one password of every demo account (printed by ``panhuo demo`` and in the README).
DEMO_PASSWORD = "panhuo-demo-2026"  # noqa: S105 (a published demo password, not a secret)

PROVINCE = ("DEMO-JN", "Jiangnan Province 江南省")
CITY = ("DEMO-QH", "Qinghe City 清河市")
#: The demo district itself; its presence marks the database as seeded.
DISTRICT = ("DEMO-HX", "Hexi District 河西区")
OTHER_DISTRICT = ("DEMO-DC", "Dongcheng District 东城区")
MARKER_CODE = DISTRICT[0]

#: (latitude, longitude) in millionths of a degree, for integer arithmetic.
CENTRE = {DISTRICT[0]: (30_571_400, 114_290_600), OTHER_DISTRICT[0]: (30_598_200, 114_355_100)}

TASK_FORCES = {
    DISTRICT[0]: (
        "Hexi District Asset Activation and Debt Resolution Task Force 河西区盘活资产化解债务专班",
        dt.date(2025, 3, 3),
    ),
    OTHER_DISTRICT[0]: (
        "Dongcheng District Asset Activation Task Force 东城区盘活资产专班",
        dt.date(2025, 5, 12),
    ),
}
#: The founding document (文号) of each task force.
TASK_FORCE_DOCUMENTS = {DISTRICT[0]: "河西区政府办〔2025〕12号"}
#: The demo district's task-force members: username → (position, bureau seconded from). They
#: hold their roles already, so joining starts none.
TASK_FORCE_MEMBERS = {
    "head": ("head", "other"),  # the deputy district head
    "deputy": ("deputy", "state_asset"),
    "office": ("office_director", "finance"),
}

D, INST, S = "department", "institution", "soe"
#: code → (name, kind, district code)
UNITS: dict[str, tuple[str, str, str]] = {
    "HX-FIN": ("Hexi District Finance Bureau 河西区财政局", D, DISTRICT[0]),
    "HX-HUD": ("Hexi District Housing and Urban-Rural Development Bureau", D, DISTRICT[0]),
    "HX-EDU": ("Hexi District Education Bureau", D, DISTRICT[0]),
    "HX-TRN": ("Hexi District Transport Bureau", D, DISTRICT[0]),
    "HX-NRP": ("Hexi District Natural Resources and Planning Bureau", D, DISTRICT[0]),
    "HX-HOS": ("Hexi District People's Hospital 河西区人民医院", INST, DISTRICT[0]),
    "HX-VOC": ("Hexi Vocational and Technical School", INST, DISTRICT[0]),
    "HX-BDC": ("Hexi Big Data Centre", INST, DISTRICT[0]),
    "HX-UCI": ("Hexi Urban Construction Investment Group Co., Ltd. 河西城投", S, DISTRICT[0]),
    "HX-WAT": ("Hexi Water Affairs Group Co., Ltd.", S, DISTRICT[0]),
    "HX-CTD": ("Hexi Culture and Tourism Development Co., Ltd.", S, DISTRICT[0]),
    "HX-BUS": ("Hexi Public Transport Co., Ltd.", S, DISTRICT[0]),
    "DC-FIN": ("Dongcheng District Finance Bureau", D, OTHER_DISTRICT[0]),
    "DC-AGR": ("Dongcheng District Agriculture and Rural Affairs Bureau", D, OTHER_DISTRICT[0]),
    "DC-IND": ("Dongcheng Industrial Park Development Co., Ltd.", S, OTHER_DISTRICT[0]),
}

#: The unit whose asset officer is a demo account.
OFFICER_UNIT = "HX-HUD"

#: username → (role, where: "district" | "other" | "city", first name, last name)
USERS: dict[str, tuple[Role, str, str, str]] = {
    "head": (Role.HEAD, "district", "Jianguo", "Li"),
    "deputy": (Role.DEPUTY, "district", "Hong", "Wang"),
    "office": (Role.OFFICE, "district", "Min", "Zhang"),
    "unit_officer": (Role.UNIT_OFFICER, "district", "Lei", "Chen"),
    "finance": (Role.FINANCE, "district", "Fang", "Liu"),
    "auditor": (Role.AUDITOR, "district", "Qiang", "Zhao"),
    "supervisor": (Role.SUPERVISOR, "city", "Xiuying", "Huang"),
    "bidder": (Role.BIDDER, "district", "Yong", "Zhou"),
    # Keeps the district's organisation and users (Site administration), nothing else.
    "siteadmin": (Role.SITE_ADMIN, "district", "Li", "Sun"),
    # The other district's own staff: they register its assets and debts.
    "dc_office": (Role.OFFICE, "other", "Jing", "Wu"),
    "dc_finance": (Role.FINANCE, "other", "Tao", "Xu"),
}

#: How often each kind occurs (weights), and which units hold it.
KIND_WEIGHTS = {
    AssetKind.BUILDING: 24,
    AssetKind.EQUIPMENT: 20,
    AssetKind.VEHICLE: 17,
    AssetKind.LAND: 12,
    AssetKind.OPERATING_RIGHT: 8,
    AssetKind.RECEIVABLE: 7,
    AssetKind.EQUITY: 5,
    AssetKind.NATURAL_RESOURCE: 4,
    AssetKind.DATA: 3,
}
KIND_UNITS = {
    AssetKind.LAND: ["HX-NRP", "HX-UCI", "HX-CTD", "HX-EDU", "DC-AGR", "DC-IND"],
    AssetKind.BUILDING: [
        "HX-HUD", "HX-HUD", "HX-EDU", "HX-HOS", "HX-VOC", "HX-FIN", "HX-TRN", "HX-UCI",
        "HX-CTD", "DC-FIN", "DC-IND",
    ],
    AssetKind.VEHICLE: [
        "HX-FIN", "HX-HUD", "HX-EDU", "HX-TRN", "HX-NRP", "HX-HOS", "HX-BUS", "HX-WAT",
        "DC-FIN", "DC-AGR",
    ],
    AssetKind.EQUIPMENT: ["HX-HOS", "HX-VOC", "HX-WAT", "HX-BUS", "HX-BDC", "HX-TRN", "DC-IND"],
    AssetKind.EQUITY: ["HX-FIN", "HX-UCI", "HX-CTD", "DC-FIN"],
    AssetKind.OPERATING_RIGHT: ["HX-TRN", "HX-UCI", "HX-CTD", "HX-BUS", "HX-HUD"],
    AssetKind.NATURAL_RESOURCE: ["HX-NRP", "HX-WAT", "HX-CTD", "DC-AGR"],
    AssetKind.DATA: ["HX-BDC", "HX-TRN", "HX-HOS"],
    AssetKind.RECEIVABLE: ["HX-FIN", "HX-UCI", "HX-WAT", "DC-FIN"],
}  # fmt: skip
KIND_CODES = {
    AssetKind.LAND: "LND",
    AssetKind.BUILDING: "BLD",
    AssetKind.VEHICLE: "VEH",
    AssetKind.EQUIPMENT: "EQP",
    AssetKind.EQUITY: "EQT",
    AssetKind.OPERATING_RIGHT: "OPR",
    AssetKind.NATURAL_RESOURCE: "NRR",
    AssetKind.DATA: "DAT",
    AssetKind.RECEIVABLE: "RCV",
}
#: Kinds that sit somewhere on the map.
LOCATED = {
    AssetKind.LAND,
    AssetKind.BUILDING,
    AssetKind.OPERATING_RIGHT,
    AssetKind.NATURAL_RESOURCE,
}
#: Kinds with an address but no point of their own (garaged or installed at a site).
ADDRESSED = {AssetKind.VEHICLE, AssetKind.EQUIPMENT}

STATUS_WEIGHTS = {
    AssetStatus.IN_USE: 44,
    AssetStatus.IDLE: 26,
    AssetStatus.UNDER_USED: 12,
    AssetStatus.LEASED_OUT: 10,
    AssetStatus.OCCUPIED: 8,
}
CRITICALITY_WEIGHTS = {
    Criticality.ESSENTIAL: 18,
    Criticality.SUPPORTING: 30,
    Criticality.NON_ESSENTIAL: 52,
}

ROADS = [
    "Renmin Road", "Jiefang Avenue", "Binjiang Road", "Zhongshan Road", "Hongdu Avenue",
    "Xinhua Street", "Heping Road", "Chaoyang Road", "Yingbin Avenue", "Qingshan Road",
    "Gongye Road", "Kejiyuan Road", "Wenhua Road", "Xihu Road", "Minzhu Road", "Changjiang Road",
    "Hanyang Street", "Shengli Road", "Jianshe Avenue", "Guanggu Avenue", "Hubin Road",
    "Dongfeng Road", "Youyi Road", "Nanhu Road",
]  # fmt: skip
PLACES = [
    "Hexi New Town", "Qinghe Riverside", "Baisha Industrial Park", "Longquan Township",
    "Xiangyang Village", "Taoyuan Subdistrict", "Jinqiao Logistics Zone", "Old Town",
    "Hexi High-Tech Zone", "Shuangfeng Township", "Lianhua Subdistrict", "Meiling Village",
]  # fmt: skip
HILLS = ["Meiling Hill", "Jiulong Hill", "Fenghuang Hill", "Xishan Ridge", "Baiyun Hill"]
WATERS = ["Qinghe River", "Nanhu Lake", "Shuangfeng Reservoir", "Baisha Creek", "Donghu Lake"]
COMPANIES = [
    "Qinghe Rural Commercial Bank", "Hexi Gas Co., Ltd.", "Jiangnan Expressway Investment Co.",
    "Hexi Hotel Management Co., Ltd.", "Qinghe Port Logistics Co., Ltd.",
    "Hexi Pharmaceutical Co., Ltd.", "Qinghe Cement Co., Ltd.", "Hexi Agricultural Development Co.",
    "Qinghe Cultural Media Group", "Jiangnan Environmental Engineering Co.",
    "Hexi Property Services Co., Ltd.", "Qinghe Heating Supply Co.",
]  # fmt: skip

LAND_USES = ["Industrial", "Commercial", "Residential", "Mixed-use", "Storage and logistics"]
BUILDINGS = [
    "Former {owner} office building",
    "Idle warehouse",
    "Street-front shop units",
    "Vacant teaching building",
    "Staff dormitory block",
    "Former township government compound",
    "Disused factory building",
    "Underground car park",
    "Office floors {a}-{b}",
    "Former clinic building",
    "Vacant canteen and hall",
    "Training centre",
]
OWNERS = ["finance bureau", "housing bureau", "transport bureau", "audit bureau", "tax office"]
VEHICLES = [
    ("Hongqi H5", "sedan"),
    ("Buick GL8", "minivan"),
    ("Toyota Coaster", "bus"),
    ("Yutong ZK6", "bus"),
    ("Foton Tunland", "pickup"),
    ("BYD Han EV", "sedan"),
    ("Dongfeng Fengshen", "sedan"),
    ("JAC Shuailing", "light truck"),
    ("Volkswagen Passat", "sedan"),
    ("Audi A6L", "sedan"),
    ("Zoomlion street sweeper", "special vehicle"),
]
EQUIPMENT = [
    ("64-slice CT scanner", 2_000_000, 6_000_000),
    ("Road-sweeping machine", 200_000, 900_000),
    ("Diesel generator set, 500 kW", 150_000, 600_000),
    ("Pump station units", 300_000, 2_500_000),
    ("CNC lathe training set", 80_000, 600_000),
    ("Server rack cluster", 300_000, 3_000_000),
    ("LED display screens", 50_000, 800_000),
    ("Office furniture lot", 20_000, 200_000),
    ("Kitchen equipment lot", 30_000, 300_000),
    ("Surveying instruments lot", 40_000, 400_000),
    ("Central air-conditioning units", 100_000, 1_200_000),
    ("Ultrasound diagnostic system", 400_000, 1_800_000),
]
OPERATING_RIGHTS = [
    "Parking operation right, {road} ({n} spaces)",
    "Outdoor advertising right, {road} ({n} billboards)",
    "Bus-shelter advertising right, {place}",
    "EV charging-station operating right, {place}",
    "Scenic area operating right, {hill}",
    "Farmers' market stall operating right, {place}",
]
NATURAL_RESOURCES = [
    "Sand and gravel mining right, {water} km {a}-{b}",
    "Collective forest management right, {hill}",
    "Water-use right, {water}",
    "Quarry mining right, {hill}",
    "Fishery right, {water}",
]
DATA_ASSETS = [
    "Traffic-flow dataset {year}",
    "Property register data product {year}",
    "Public-transport ridership data {year}",
    "De-identified medical imaging archive {year}",
    "Enterprise credit data product {year}",
    "Utility consumption dataset {year}",
]
RECEIVABLES = [
    "Receivable from {company}",
    "Idle fund in special account {n}",
    "Land-transfer fee receivable, plot HX{year}-{n}",
    "Shareholder loan to {company}",
]

#: A sensible channel for a package of each kind (the first is the most common).
KIND_CHANNELS = {
    AssetKind.LAND: [Channel.AUCTION, Channel.EXCHANGE],
    AssetKind.BUILDING: [Channel.AUCTION, Channel.LEASE, Channel.EXCHANGE, Channel.SOE_TRANSFER],
    AssetKind.VEHICLE: [Channel.AUCTION],
    AssetKind.EQUIPMENT: [Channel.AUCTION, Channel.EXCHANGE],
    AssetKind.EQUITY: [Channel.EXCHANGE, Channel.SOE_TRANSFER],
    AssetKind.OPERATING_RIGHT: [Channel.CONCESSION, Channel.LEASE],
    AssetKind.NATURAL_RESOURCE: [Channel.AUCTION, Channel.CONCESSION],
    AssetKind.DATA: [Channel.EXCHANGE],
    AssetKind.RECEIVABLE: [Channel.DEBT_SWAP, Channel.SECURITISATION],
}
KIND_PLURAL = {
    AssetKind.LAND: "Land-use rights",
    AssetKind.BUILDING: "Buildings",
    AssetKind.VEHICLE: "Vehicles",
    AssetKind.EQUIPMENT: "Equipment",
    AssetKind.EQUITY: "Equity stakes",
    AssetKind.OPERATING_RIGHT: "Operating rights",
    AssetKind.NATURAL_RESOURCE: "Natural-resource rights",
    AssetKind.DATA: "Data assets",
    AssetKind.RECEIVABLE: "Receivables",
}
BUYERS = [
    "Qinghe Jiaye Real Estate Co., Ltd.",
    "Jiangnan State Capital Asset Management Co.",
    "Hexi Urban Renewal Fund LP",
    "Zhongnan Logistics Holdings Co., Ltd.",
    "Qinghe Xinyuan Trading Co., Ltd.",
    "Jiangnan Equity Exchange member 0417",
    "Huatai Parking Management Co., Ltd.",
    "Mr Zhang Wei",
    "Ms Sun Li",
    "Hexi Green Energy Co., Ltd.",
    "Qinghe Data Exchange Co., Ltd.",
    "Jiangnan Culture and Tourism Investment Group",
]

#: debt type → (creditors, rate range in thousandths of a percent, principal range in 10k yuan,
#: term range in years)
DEBT_TYPES = {
    "general_bond": (
        ["Jiangnan Provincial Government (on-lent general bond)"],
        (2_300, 3_400),
        (20_000, 200_000),
        (5, 15),
    ),
    "special_bond": (
        ["Jiangnan Provincial Government (on-lent special bond)"],
        (2_500, 3_800),
        (10_000, 150_000),
        (7, 20),
    ),
    "bank_loan": (
        [
            "China Development Bank, Jiangnan Branch",
            "Agricultural Development Bank of China, Qinghe Branch",
            "Industrial and Commercial Bank of China, Qinghe Branch",
            "Bank of Qinghe",
            "China Construction Bank, Hexi Sub-branch",
        ],
        (3_200, 5_600),
        (3_000, 80_000),
        (3, 10),
    ),
    "lgfv_bond": (
        ["Bondholders of 21 Hexi UCI MTN001", "Bondholders of 23 Hexi UCI 01"],
        (3_900, 6_900),
        (50_000, 120_000),
        (3, 7),
    ),
    "trust_leasing": (
        ["Jiangnan International Trust Co., Ltd.", "Huarong Financial Leasing Co., Ltd."],
        (6_000, 9_500),
        (5_000, 40_000),
        (2, 5),
    ),
    "arrears": (
        [
            "Qinghe No. 3 Construction Engineering Co.",
            "Hexi Road and Bridge Co., Ltd.",
            "Jiangnan Landscaping Engineering Co.",
            "Qinghe Medical Supplies Co., Ltd.",
        ],
        (0, 0),
        (200, 3_000),
        (1, 2),
    ),
    "hidden": (
        [
            "Hexi UCI (government purchase-of-service agreement)",
            "Qinghe PPP Project Company (Binjiang road PPP)",
        ],
        (4_500, 8_000),
        (10_000, 60_000),
        (5, 12),
    ),
}
