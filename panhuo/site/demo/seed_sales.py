"""Demo: the land and buildings the district sold in earlier rounds, closed and paid.

A district that has worked on its assets for a year and a half has sold some: these are the
deals the valuation model learns from (``pricing.avm``: at least ``MIN_DEALS`` concluded land or
building sales), each a package of one or two plots or buildings of one unit, sold at auction or
on the exchange months before the seed's day and taken through every step by the right roles.
"""

from __future__ import annotations

from panhuo.disposal import services as disposal
from panhuo.disposal.models import Channel
from panhuo.disposal.models import ProjectStatus as S
from panhuo.register.models import AssetKind
from panhuo.site.demo import seed_channels
from panhuo.site.demo.seed_assets import money, rounded

SOLD = (AssetKind.LAND, AssetKind.BUILDING)


def past_sales(seeder, buckets, *, first: int) -> int:
    """Sell ``size.past_sales`` lots of land or buildings from ``buckets`` (numbered from
    ``first``); returns the next lot number."""
    n = first
    for _ in range(seeder.size.past_sales):
        keys = sorted(k for k, v in buckets.items() if v and k[1] in SOLD)
        if not keys:
            seeder.say("No land or buildings left for earlier sales.")
            break
        key = seeder.rng.choice(keys)
        count = min(seeder.rng.randint(1, 2), len(buckets[key]))
        assets = seeder.rng.sample(buckets[key], count)
        for a in assets:
            buckets[key].remove(a)
        channel = Channel.AUCTION if key[1] == AssetKind.LAND else Channel.EXCHANGE
        package = seeder._package(assets, n, channel)
        appraised = sum(int(a.appraised_value or a.book_value) for a in assets)
        reserve = rounded(appraised * seeder.rng.randint(100, 106) // 100, 1_000)
        project = disposal.project_create(
            actor=seeder.users["office"],
            package=package,
            reserve_price=money(reserve),
            note=f"评估报告 QH-PG-{seeder.today.year - 1}-{n:04d}。",
        )
        seed_channels.walk(seeder, project, S.CLOSED, seeder.users["office"], reserve)
        n += 1
    return n
