"""The demo seed's disposals: the scope, the packages and the projects taken through their states
by the roles that take each step. A part of ``seed._Seeder`` (a mixin: the same seeder, its
generator and clock), kept apart so that no module grows past a few hundred lines."""

from __future__ import annotations

from collections import defaultdict

from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import with_scope
from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.organisation.models import User
from panhuo.register.models import Asset, Criticality
from panhuo.register.scope import scope_decide
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import (
    seed_channels,
    seed_documents,
    seed_gates_listing,
    seed_sales,
)
from panhuo.site.demo.seed_assets import money as _money
from panhuo.site.demo.seed_assets import rounded as _round


class DisposalSeeding:
    """Disposals of ``seed._Seeder``."""

    # Disposals ------------------------------------------------------------------------------

    def _buckets(self) -> dict[tuple[str, str], list[Asset]]:
        """Assets that may be packaged, grouped by (unit, kind): the scope the task force has
        just confirmed (gate ``scope_not_included``: no asset enters a package unless the latest
        scope decision includes it), in the demo district."""
        district = self.places[c.DISTRICT[0]]
        scope_decide(
            actor=self.users["head"],
            jurisdiction=district,
            note="首批处置资产范围，经专班第1次会议确认。",
        )
        buckets: dict[tuple[str, str], list[Asset]] = defaultdict(list)
        eligible = (
            with_scope(Asset.objects.filter(unit__jurisdiction=district))
            .filter(scope_included=True)
            .exclude(criticality=Criticality.ESSENTIAL)
            .select_related("unit")
            .order_by("code")
        )
        for asset in eligible:
            buckets[(asset.unit.code, asset.kind)].append(asset)
        self.say(f"The scope includes {sum(map(len, buckets.values()))} assets.")
        return buckets

    def _take(self, buckets, *, unit: str | None = None) -> list[Asset]:
        keys = sorted(k for k, v in buckets.items() if v and (unit is None or k[0] == unit))
        if not keys:
            raise RuntimeError("The demo size leaves too few idle assets for its packages.")
        key = self.rng.choice(keys)
        count = min(self.rng.randint(1, self.size.max_package), len(buckets[key]))
        taken = self.rng.sample(buckets[key], count)
        for a in taken:
            buckets[key].remove(a)
        return taken

    def _package(self, assets: list[Asset], n: int, channel: str | None = None) -> Package:
        kind = assets[0].kind
        unit_name = assets[0].unit.name.removeprefix(c.DISTRICT[1]).removeprefix("河西")
        return disposal.package_create(
            actor=self.users["office"],
            jurisdiction=self.places[c.DISTRICT[0]],
            name=f"{unit_name}{c.KIND_PLURAL[kind]}处置包（第{n}批）",
            channel=channel or self.rng.choice(c.KIND_CHANNELS[kind]),
            asset_ids=[a.pk for a in assets],
        )

    def _approver(self) -> User:
        self.approver_turn += 1
        return self.users["head" if self.approver_turn % 2 else "deputy"]

    def _keep_for_suggestions(self, buckets) -> None:
        """Set aside, for the next round, the in-scope assets of one unit and kind that the
        package suggestions group (by holding unit: kinds with neither coordinates nor an
        address), so that GET /packages/suggestions has something to show after the seed."""
        by_unit = sorted(
            (k for k, v in buckets.items() if len(v) >= 2 and k[1] not in c.LOCATED | c.ADDRESSED),
            key=lambda k: (-len(buckets[k]), k),
        )
        if by_unit:
            kept = buckets.pop(by_unit[0])
            self.say(f"{len(kept)} in-scope assets kept for the next round's suggestions.")

    def disposals(self) -> None:
        buckets = self._buckets()
        self._keep_for_suggestions(buckets)
        targets = [status for status, n in self.size.projects.items() for _ in range(n)]
        self.rng.shuffle(targets)
        withdraw_from = [ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.APPROVED]
        withdraw_from.append(ProjectStatus.LISTED)
        drafts = 0
        for n, target in enumerate(targets, start=1):
            by_unit_officer = n % 4 == 0 and any(
                v for k, v in buckets.items() if k[0] == c.OFFICER_UNIT
            )
            assets = self._take(buckets, unit=c.OFFICER_UNIT if by_unit_officer else None)
            package = self._package(
                assets, n, seed_channels.channel_for(self, target, assets[0].kind, n)
            )
            proposer = self.users["unit_officer" if by_unit_officer else "office"]
            appraised = sum(int(a.appraised_value or a.book_value) for a in assets)
            # The reserve is set from the appraisal and never below it on a first listing.
            reserve = _round(appraised * self.rng.randint(100, 106) // 100, 1_000)
            project = disposal.project_create(
                actor=proposer,
                package=package,
                reserve_price=_money(reserve),
                note=f"评估报告 QH-PG-{self.today.year}-{n:04d}。",
            )
            stop = target
            if target == ProjectStatus.WITHDRAWN:
                stop = withdraw_from[(n - 1) % len(withdraw_from)]
            if target == ProjectStatus.DRAFT:
                drafts += 1
                if drafts % 2 == 0:
                    # Sent back once: a draft with a history (submitted as its channel asks).
                    seed_channels.walk(self, project, ProjectStatus.SUBMITTED, proposer, reserve)
                    self.move(
                        project,
                        "reject",
                        self._approver(),
                        comment="评估报告已超过十二个月，请先重新评估。",
                    )
                continue
            # (A sale listed only to be withdrawn is not the one whose listing ended unsold.)
            self.withdrawing = target == ProjectStatus.WITHDRAWN
            project = seed_channels.walk(self, project, stop, proposer, reserve)
            self.withdrawing = False
            if target == ProjectStatus.WITHDRAWN:
                by = self.users["head" if stop == ProjectStatus.SUBMITTED else "office"]
                self.move(
                    project,
                    "withdraw",
                    by,
                    comment=self.rng.choice(
                        [
                            "占有单位需收回房屋用于学校扩建。",
                            "尽职调查发现权属争议，撤回待法院判决。",
                            "市场需求不足，拟与相邻地块重新打包。",
                            "市里要求保留，用于地铁4号线车辆段。",
                        ]
                    ),
                )
        # Earlier rounds' sales, from what this round left, numbered after its lots.
        after = seed_sales.past_sales(self, buckets, first=len(targets) + 1)
        for n in range(after, after + self.size.open_packages):
            self._package(self._take(buckets), n)

    def move(self, project: DisposalProject, transition: str, actor: User, **kw):
        kw = seed_gates_listing.with_land_announcement(project, transition, kw)
        if transition == "approve":  # what the approval rests on (Decree 738 art. 19)
            seed_documents.decision_documents(self, project)
        return disposal.project_transition(
            actor=actor, project=project, transition=transition, **kw
        )

    def walk(self, project, stop: str, proposer: User, reserve: int) -> DisposalProject:
        """Take a draft along the main path up to ``stop``, each step by the right role."""
        order = [
            ProjectStatus.SUBMITTED,
            ProjectStatus.APPROVED,
            ProjectStatus.LISTED,
            ProjectStatus.CONCLUDED,
            ProjectStatus.CLOSED,
        ]
        steps = order[: order.index(stop) + 1] if stop in order else []
        office = self.users["office"]
        for state in steps:
            if state == ProjectStatus.SUBMITTED:
                project = self.move(project, "submit", proposer)
            elif state == ProjectStatus.APPROVED:
                meeting = self.rng.randint(3, 40)
                comment = f"经专班第{meeting}次会议审议通过。"
                project = self.move(project, "approve", self._approver(), comment=comment)
            elif state == ProjectStatus.LISTED:
                comment = "在清河市公共资源交易中心挂牌公告20个工作日。"
                project = self.move(project, "list", office, comment=comment)
            elif state == ProjectStatus.CONCLUDED:
                deal = _round(reserve * self.rng.randint(100, 135) // 100, 100)
                project = self.move(
                    project,
                    "conclude",
                    office,
                    deal_price=_money(deal),
                    buyer=self._buyer(project),
                )
        return project

    def _buyer(self, project: DisposalProject) -> str:
        if project.channel == "soe_transfer":
            return c.UNITS["HX-UCI"][0]
        if project.channel == "debt_swap":
            return self.rng.choice(c.DEBT_TYPES["bank_loan"][0])
        return self.rng.choice(c.BUYERS)
