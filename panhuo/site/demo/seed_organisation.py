"""The demo seed's organisation, register and debts: the places, units, people and task force,
then the assets and the debts, each entered on the working day its record describes
(``seed_clock``). A part of ``seed._Seeder`` (a mixin: the same seeder, its generator and
clock), kept apart so that no module grows past a few hundred lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from panhuo.finance import services as finance
from panhuo.finance.models import Debt
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import taskforce
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, TaskForce, Unit, User
from panhuo.register import rollups as register_rollups
from panhuo.register import services as register
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_assets, seed_codes
from panhuo.site.demo.seed_assets import money as _money
from panhuo.site.demo.seed_assets import rounded as _round
from panhuo.site.demo.seed_debt_details import debt_details

USER_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "language"]


def _dates(data: dict[str, Any]) -> list[dt.date]:
    """The dates a record states (it cannot be entered before them)."""
    return [v for v in data.values() if isinstance(v, dt.date)]


class OrganisationSeeding:
    """Organisation, register and debts of ``seed._Seeder``."""

    # Organisation ---------------------------------------------------------------------------

    def _record(self, obj, after: dict[str, Any], path: str) -> None:
        audit_record(
            actor=None,
            action=f"{obj._meta.model_name}.create",
            obj=obj,
            after=after,
            jurisdiction_path=path,
        )

    def organisation(self) -> None:
        """Set up on the working day the district's task force was founded."""
        founded = self.today - dt.timedelta(days=c.TASK_FORCES[c.DISTRICT[0]][1])
        self.clock.on(founded)
        levels = [
            (c.PROVINCE, Jurisdiction.Level.PROVINCE, None),
            (c.CITY, Jurisdiction.Level.CITY, c.PROVINCE[0]),
            (c.DISTRICT, Jurisdiction.Level.DISTRICT, c.CITY[0]),
            (c.OTHER_DISTRICT, Jurisdiction.Level.DISTRICT, c.CITY[0]),
        ]
        for (code, name), level, parent in levels:
            j = Jurisdiction.objects.create(
                code=code, name=name, level=level, parent=self.places.get(parent)
            )
            self.places[code] = j
            self._record(j, snapshot(j), j.path)
        for code, (name, days_before) in c.TASK_FORCES.items():
            established = self.clock.on(self.today - dt.timedelta(days=days_before))
            tf = TaskForce.objects.create(
                jurisdiction=self.places[code],
                name=name,
                established_on=established,
                document_number=c.TASK_FORCE_DOCUMENTS.get(code, "").format(year=established.year),
            )
            self._record(tf, snapshot(tf), tf.jurisdiction.path)
        for code, (name, kind, place) in c.UNITS.items():
            self.clock.on(founded)
            unit = Unit(code=code, name=name, kind=kind, jurisdiction=self.places[place])
            unit.full_clean()
            unit.save(force_insert=True)
            self.units[code] = unit
            self._record(unit, snapshot(unit), unit.jurisdiction.path)
        where = {"district": c.DISTRICT[0], "other": c.OTHER_DISTRICT[0], "city": c.CITY[0]}
        for username, (role, place, first, last) in c.USERS.items():
            user = User.objects.create_user(
                username,
                email=f"{username}@demo.panhuo.example",
                password=c.DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
            self.users[username] = user
            jurisdiction = self.places[where[place]]
            self._record(user, snapshot(user, USER_FIELDS), jurisdiction.path)
            ra = RoleAssignment.objects.create(
                user=user,
                role=role,
                jurisdiction=jurisdiction,
                unit=self.units[c.OFFICER_UNIT] if role == Role.UNIT_OFFICER else None,
            )
            self._record(ra, snapshot(ra), jurisdiction.path)
        self.task_force_members()

    def task_force_members(self) -> None:
        """The demo district's task force: its members, added by its site administrator."""
        tf = TaskForce.objects.get(jurisdiction=self.places[c.DISTRICT[0]])
        self.clock.on(tf.established_on)
        for username, (position, bureau) in c.TASK_FORCE_MEMBERS.items():
            taskforce.member_join(
                actor=self.users["siteadmin"],
                task_force=tf,
                user=self.users[username],
                position=position,
                seconded_from=bureau,
                joined_on=tf.established_on,
            )

    # Register -------------------------------------------------------------------------------

    def assets(self, district: str, count: int, registrar: str) -> None:
        kinds = list(c.KIND_WEIGHTS)
        weights = list(c.KIND_WEIGHTS.values())
        prefix = district.removeprefix("DEMO-")
        # Each asset through the service (its permission check and audit entry); the units'
        # roll-ups recomputed once at the end, not after each of the 2,160 (CI time, issue 11).
        with register_rollups.deferred():
            for i in range(count):
                # Every kind at least once, then by weight.
                kind = kinds[i] if i < len(kinds) else self.rng.choices(kinds, weights)[0]
                holders = [u for u in c.KIND_UNITS[kind] if c.UNITS[u][2] == district]
                if not holders:
                    holders = [u for u, spec in c.UNITS.items() if spec[2] == district]
                unit = self.units[self.rng.choice(holders)]
                self.kind_seq[f"{prefix}{kind}"] += 1
                code = f"{prefix}-{c.KIND_CODES[kind]}-{self.kind_seq[f'{prefix}{kind}']:05d}"
                data = {
                    "code": code,
                    "unit": unit,
                    "kind": kind,
                    "classification": seed_codes.KIND_CLASSIFICATION[kind],
                    **seed_assets.asset_spec(self.rng, kind, district, self.today),
                }
                # A unit's own asset officer registers that unit's assets; the office the rest —
                # on a working day after the last fact the record states (and after the task force
                # began its inventory).
                actor = self.users["unit_officer" if unit.code == c.OFFICER_UNIT else registrar]
                self.clock.after(max(self.registered_from, *_dates(data)), self.days.randint(1, 30))
                register.asset_create(actor=actor, data=data)
        self.clock.back_to_today()

    # Debts ----------------------------------------------------------------------------------

    def debt_register(self, district: str, count: int, officer: str) -> list[Debt]:
        types = list(c.DEBT_TYPES)
        weights = [14, 14, 30, 12, 10, 12, 8]
        debts = []
        for i in range(count):
            debt_type = types[i] if i < len(types) else self.rng.choices(types, weights)[0]
            creditors, (rate_lo, rate_hi), (p_lo, p_hi), (t_lo, t_hi) = c.DEBT_TYPES[debt_type]
            principal = self.rng.randint(p_lo, p_hi) * 10_000
            issue = self.today - dt.timedelta(days=self.rng.randint(120, 8 * 365))
            maturity = issue + dt.timedelta(days=round(self.rng.randint(t_lo, t_hi) * 365.25))
            outstanding = principal
            if debt_type in {"bank_loan", "trust_leasing"}:
                # Amortising loans have repaid part of their principal already.
                outstanding = _round(principal * self.rng.randint(55, 100) // 100, 10_000)
            # Recorded in the register of debts within days of being incurred (or when the task
            # force took stock, for debts older than it).
            self.clock.after(max(issue, self.registered_from), self.days.randint(0, 12))
            data = {
                "creditor": self.rng.choice(creditors),
                "debt_type": debt_type,
                "principal": _money(principal),
                "rate": Decimal(self.rng.randint(rate_lo, rate_hi)).scaleb(-3),
                "issue_date": issue,
                "maturity_date": maturity,
                "outstanding": _money(outstanding),
                **debt_details(district, i, debt_type, issue),
            }
            debts.append(
                finance.debt_create(
                    actor=self.users[officer], jurisdiction=self.places[district], data=data
                )
            )
        self.clock.back_to_today()
        return debts
