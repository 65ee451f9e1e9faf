"""The fixed vocabulary of the demo district: places, units, people and name patterns.

Everything here is data, not logic; ``seed`` draws from it with one seeded random generator, so
the same seed always gives the same district. The city and its districts are fictional; the
coordinates sit around a real-looking city centre on the lower Yangtze.
"""

from __future__ import annotations

from panhuo.disposal.models import Channel
from panhuo.organisation.models import Role
from panhuo.register.models import AssetKind, AssetStatus, Criticality

DEFAULT_SEED = 20260630

#: The one password of every demo account (printed by ``panhuo demo`` and in the README).
DEMO_PASSWORD = "panhuo-demo-2026"  # noqa: S105 (a published demo password, not a secret)

PROVINCE = ("DEMO-JN", "江南省")
CITY = ("DEMO-QH", "清河市")
#: The demo district itself; its presence marks the database as seeded.
DISTRICT = ("DEMO-HX", "河西区")
OTHER_DISTRICT = ("DEMO-DC", "东城区")
MARKER_CODE = DISTRICT[0]

#: (latitude, longitude) in millionths of a degree, for integer arithmetic.
CENTRE = {DISTRICT[0]: (30_571_400, 114_290_600), OTHER_DISTRICT[0]: (30_598_200, 114_355_100)}

#: code → (name, how many days before the seed's day the task force was founded).
TASK_FORCES = {
    DISTRICT[0]: ("河西区盘活资产化解债务工作专班", 640),
    OTHER_DISTRICT[0]: ("东城区盘活资产工作专班", 570),
}
#: The founding document (文号) of each task force; ``{year}`` is the year it was founded.
TASK_FORCE_DOCUMENTS = {DISTRICT[0]: "河西区政府办〔{year}〕12号"}
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
    "HX-FIN": ("河西区财政局", D, DISTRICT[0]),
    "HX-HUD": ("河西区住房和城乡建设局", D, DISTRICT[0]),
    "HX-EDU": ("河西区教育局", D, DISTRICT[0]),
    "HX-TRN": ("河西区交通运输局", D, DISTRICT[0]),
    "HX-NRP": ("河西区自然资源和规划局", D, DISTRICT[0]),
    "HX-HOS": ("河西区人民医院", INST, DISTRICT[0]),
    "HX-VOC": ("河西区职业技术学校", INST, DISTRICT[0]),
    "HX-BDC": ("河西区大数据中心", INST, DISTRICT[0]),
    "HX-UCI": ("河西城市建设投资集团有限公司", S, DISTRICT[0]),
    "HX-WAT": ("河西水务集团有限公司", S, DISTRICT[0]),
    "HX-CTD": ("河西文化旅游发展有限公司", S, DISTRICT[0]),
    "HX-BUS": ("河西公共交通有限公司", S, DISTRICT[0]),
    "DC-FIN": ("东城区财政局", D, OTHER_DISTRICT[0]),
    "DC-AGR": ("东城区农业农村局", D, OTHER_DISTRICT[0]),
    "DC-IND": ("东城工业园区开发有限公司", S, OTHER_DISTRICT[0]),
}

#: The unit whose asset officer is a demo account.
OFFICER_UNIT = "HX-HUD"

#: username → (role, where: "district" | "other" | "city", first name, last name)
USERS: dict[str, tuple[Role, str, str, str]] = {
    "head": (Role.HEAD, "district", "建国", "李"),
    "deputy": (Role.DEPUTY, "district", "红", "王"),
    "office": (Role.OFFICE, "district", "敏", "张"),
    "unit_officer": (Role.UNIT_OFFICER, "district", "磊", "陈"),
    "finance": (Role.FINANCE, "district", "芳", "刘"),
    "auditor": (Role.AUDITOR, "district", "强", "赵"),
    "supervisor": (Role.SUPERVISOR, "city", "秀英", "黄"),
    "bidder": (Role.BIDDER, "district", "勇", "周"),
    # More registered bidders (seed_auctions): people and companies' contacts.
    "bidder_wu": (Role.BIDDER, "district", "娜", "吴"),
    "bidder_jiaye": (Role.BIDDER, "district", "建华", "何"),
    "bidder_zhongnan": (Role.BIDDER, "district", "志强", "林"),
    "bidder_zheng": (Role.BIDDER, "district", "凯", "郑"),
    # Keeps the district's organisation and users (Site administration), nothing else.
    "siteadmin": (Role.SITE_ADMIN, "district", "丽", "孙"),
    # The other district's own staff: they register its assets and debts.
    "dc_office": (Role.OFFICE, "other", "静", "吴"),
    "dc_finance": (Role.FINANCE, "other", "涛", "徐"),
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
    "人民路", "解放大道", "滨江路", "中山路", "洪都大道", "新华街", "和平路", "朝阳路", "迎宾大道",
    "青山路", "工业路", "科技园路", "文化路", "西湖路", "民主路", "长江路", "汉阳街", "胜利路",
    "建设大道", "光谷大道", "湖滨路", "东风路", "友谊路", "南湖路",
]  # fmt: skip
PLACES = [
    "河西新城", "清河滨江", "白沙工业园", "龙泉镇", "向阳村", "桃源街道", "金桥物流园", "老城区",
    "河西高新区", "双峰镇", "莲花街道", "梅岭村",
]  # fmt: skip
HILLS = ["梅岭山", "九龙山", "凤凰山", "西山岭", "白云山"]
WATERS = ["清河", "南湖", "双峰水库", "白沙溪", "东湖"]
COMPANIES = [
    "清河农村商业银行股份有限公司", "河西燃气有限公司", "江南高速公路投资有限公司",
    "河西酒店管理有限公司", "清河港口物流有限公司", "河西制药有限公司", "清河水泥有限公司",
    "河西农业发展有限公司", "清河文化传媒集团有限公司", "江南环境工程有限公司",
    "河西物业服务有限公司", "清河热力有限公司",
]  # fmt: skip

LAND_USES = ["工业用地", "商业用地", "住宅用地", "商住混合用地", "仓储物流用地"]
BUILDINGS = [
    "原{owner}办公楼",
    "闲置仓库",
    "临街商铺",
    "闲置教学楼",
    "职工宿舍楼",
    "原乡镇政府大院",
    "废弃厂房",
    "地下停车场",
    "办公楼{a}至{b}层",
    "原卫生院楼",
    "闲置食堂及礼堂",
    "培训中心",
]
OWNERS = ["财政局", "住建局", "交通局", "审计局", "税务所"]
VEHICLES = [
    ("红旗H5", "轿车"),
    ("别克GL8", "商务车"),
    ("丰田考斯特", "客车"),
    ("宇通ZK6", "客车"),
    ("福田拓陆者", "皮卡"),
    ("比亚迪汉EV", "轿车"),
    ("东风风神", "轿车"),
    ("江淮帅铃", "轻型货车"),
    ("大众帕萨特", "轿车"),
    ("奥迪A6L", "轿车"),
    ("中联重科扫路车", "专用车"),
]
EQUIPMENT = [
    ("64排CT扫描仪", 2_000_000, 6_000_000),
    ("道路清扫机", 200_000, 900_000),
    ("500千瓦柴油发电机组", 150_000, 600_000),
    ("泵站机组", 300_000, 2_500_000),
    ("数控车床实训设备", 80_000, 600_000),
    ("服务器机柜集群", 300_000, 3_000_000),
    ("LED显示屏", 50_000, 800_000),
    ("办公家具一批", 20_000, 200_000),
    ("厨房设备一批", 30_000, 300_000),
    ("测绘仪器一批", 40_000, 400_000),
    ("中央空调机组", 100_000, 1_200_000),
    ("超声诊断系统", 400_000, 1_800_000),
]
OPERATING_RIGHTS = [
    "{road}停车泊位经营权（{n}个）",
    "{road}户外广告经营权（{n}块）",
    "{place}公交候车亭广告经营权",
    "{place}充电站经营权",
    "{hill}景区经营权",
    "{place}农贸市场摊位经营权",
]
NATURAL_RESOURCES = [
    "{water}{a}至{b}公里河段砂石开采权",
    "{hill}集体林地经营权",
    "{water}取水权",
    "{hill}采石权",
    "{water}养殖捕捞权",
]
DATA_ASSETS = [
    "{year}年交通流量数据集",
    "{year}年不动产登记数据产品",
    "{year}年公交客流数据",
    "{year}年脱敏医学影像数据",
    "{year}年企业信用数据产品",
    "{year}年水电气用量数据集",
]
RECEIVABLES = [
    "应收{company}款项",
    "专户闲置资金（{n}号账户）",
    "应收土地出让金（HX{year}-{n}号地块）",
    "对{company}的股东借款",
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
    AssetKind.LAND: "土地使用权",
    AssetKind.BUILDING: "房屋建筑物",
    AssetKind.VEHICLE: "车辆",
    AssetKind.EQUIPMENT: "设备",
    AssetKind.EQUITY: "股权",
    AssetKind.OPERATING_RIGHT: "特许经营权",
    AssetKind.NATURAL_RESOURCE: "自然资源权益",
    AssetKind.DATA: "数据资产",
    AssetKind.RECEIVABLE: "应收款项",
}
BUYERS = [
    "清河嘉业置业有限公司",
    "江南国有资本资产管理有限公司",
    "河西城市更新基金（有限合伙）",
    "中南物流控股有限公司",
    "清河鑫源贸易有限公司",
    "江南产权交易所0417号会员",
    "华泰停车管理有限公司",
    "张伟",
    "孙丽",
    "河西绿色能源有限公司",
    "清河数据交易有限公司",
    "江南文化旅游投资集团有限公司",
]

#: debt type → (creditors, rate range in thousandths of a percent, principal range in 10k yuan,
#: term range in years)
DEBT_TYPES = {
    "general_bond": (
        ["江南省人民政府（转贷一般债券）"],
        (2_300, 3_400),
        (20_000, 200_000),
        (5, 15),
    ),
    "special_bond": (
        ["江南省人民政府（转贷专项债券）"],
        (2_500, 3_800),
        (10_000, 150_000),
        (7, 20),
    ),
    "bank_loan": (
        [
            "国家开发银行江南省分行",
            "中国农业发展银行清河市分行",
            "中国工商银行清河分行",
            "清河银行",
            "中国建设银行河西支行",
        ],
        (3_200, 5_600),
        (3_000, 80_000),
        (3, 10),
    ),
    "lgfv_bond": (
        ["21河西城投MTN001持有人", "23河西城投01持有人"],
        (3_900, 6_900),
        (50_000, 120_000),
        (3, 7),
    ),
    "trust_leasing": (
        ["江南国际信托股份有限公司", "华融金融租赁股份有限公司"],
        (6_000, 9_500),
        (5_000, 40_000),
        (2, 5),
    ),
    "arrears": (
        [
            "清河市第三建筑工程有限公司",
            "河西路桥有限公司",
            "江南园林绿化工程有限公司",
            "清河医疗器械有限公司",
        ],
        (0, 0),
        (200, 3_000),
        (1, 2),
    ),
    "hidden": (
        [
            "河西城投（政府购买服务协议）",
            "清河滨江路PPP项目公司",
        ],
        (4_500, 8_000),
        (10_000, 60_000),
        (5, 12),
    ),
}
