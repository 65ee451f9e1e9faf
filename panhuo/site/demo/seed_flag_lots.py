"""Demo: the auctions behind the process red flags of bidding (issue 17), each run through the
auctions' own services by the people who would, dated by the seed's clock:

- **a sniped lot handed to the runner-up**: vehicles auctioned with the soft close turned off;
  周勇 bids early, 清河嘉业 outbids him 40 seconds before the end, which therefore does not move,
  and wins (``late_bid_won``: nobody could answer that bid). 清河嘉业 then neither signs nor
  pays: the office records the default, its deposit is forfeited and the lot goes to 周勇 at
  his own, lower, bid (``runner_up_after_default``: the gap is in the flag);
- **a lot only the winner bid on**: three bidders registered and paid their deposits, two never
  bid, 中南物流 took it at the starting price (``all_but_winner_out``, and ``single_bidder``);
- **identical prices on the exchange**: a sale run on the city's exchange whose result, brought
  in from the exchange's file, ranks 清河嘉业 and 中南物流 — the two companies behind one
  switchboard number — at the very same price (``identical_bids``).

Run after the other flag cases (their picks stay as they were), before the flags are raised.
Only on a district with candidates to spare (the small test demo keeps its candidates for the
package suggestions).
"""

from __future__ import annotations

import datetime as dt
import io

from panhuo.auctions.award_models import AwardStatus
from panhuo.auctions.awards import award_default, award_sign
from panhuo.auctions.exchange import result_import
from panhuo.auctions.models import Lot
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.finance.expected import received_total
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_money
from panhuo.site.demo.seed_auctions import (
    BIDDERS,
    KINDS,
    _bids,
    _listed_sale,
    close_and_award,
    hour_lot,
)
from panhuo.site.demo.seed_auctions import _terms as terms
from panhuo.site.demo.seed_clock import working_days_before
from panhuo.site.demo.seed_gates_channels import MIN_CANDIDATES

#: Each case sells up to two assets: leave the suggestions their candidates.
NEEDED = MIN_CANDIDATES + 6


def seed(seeder) -> None:
    left = confirmed_candidates(
        seeder.users["office"], jurisdiction=seeder.places[c.DISTRICT[0]]
    ).count()
    if left < NEEDED:
        return
    seeder.say("Red-flag cases of bidding: a sniped lot, a lone bidder, identical prices…")
    today = seeder.today
    day = working_days_before(today, 14)
    sniped = _listed_sale(seeder, KINDS, working_days_before(day, 30), 3)
    if sniped is not None:
        _sniped_then_defaulted(seeder, sniped, day)
    day = working_days_before(today, 11)
    alone = _listed_sale(seeder, KINDS, working_days_before(day, 30), 4)
    if alone is not None:
        _only_the_winner_bid(seeder, alone, day)
    day = working_days_before(today, 9)
    twins = _listed_sale(seeder, KINDS, working_days_before(day, 30), 5, channel=Channel.EXCHANGE)
    if twins is not None:
        _identical_on_the_exchange(seeder, twins, day)
    seeder.clock.back_to_today()


def _second(seeder, hour: int, minute: int, second: int) -> None:
    """Move the seed's clock on to ``hour:minute:second`` (never back)."""
    seeder.clock.at(hour, minute)
    seeder.clock.seconds += second


def _sign_and_pay(seeder, project: DisposalProject, lot: Lot, day: dt.date, n: int) -> None:
    """The offered bidder signs on ``day`` and pays the rest two days later."""
    signed_on = seeder.clock.after(day)
    award_sign(
        actor=seeder.users["office"], award=lot.awards.get(status=AwardStatus.OFFERED),
        contract_no=f"HX-JJHT-{signed_on.year}-{n:03d}", signed_on=signed_on,
    )  # fmt: skip
    project.refresh_from_db()
    paid_on = seeder.clock.after(signed_on, 2)
    rest = project.deal_price - received_total(project)
    if rest > 0:
        seed_money.receive(seeder, project, rest, paid_on, "HX-JJ")


def _sniped_then_defaulted(seeder, project: DisposalProject, day: dt.date) -> None:
    office = seeder.users["office"]
    lot, hour = hour_lot(seeder, project, day, ("bidder", "bidder_jiaye"), first=4, soft_close=0)
    _second(seeder, hour, 3, 0)
    _bids(seeder, lot, ["bidder"], [1])
    _second(seeder, hour, 59, 20)  # 40 seconds before an end nothing moves
    _bids(seeder, lot, ["bidder_jiaye"], [3])
    _second(seeder, hour + 1, 4, 0)
    lot = close_and_award(seeder, lot, "竞价结束，确认最高应价者竞得。")
    offered = lot.awards.get(status=AwardStatus.OFFERED)
    seeder.clock.after(offered.due_on, 1)
    award_default(
        actor=office, award=offered,
        reason=f"{BIDDERS['bidder_jiaye'][1]}未在{offered.due_on}前签约付款，保证金不予退还。",
    )  # fmt: skip
    _sign_and_pay(seeder, project, lot, seeder.clock.day + dt.timedelta(days=1), 3)


def _only_the_winner_bid(seeder, project: DisposalProject, day: dt.date) -> None:
    three = ("bidder_zhongnan", "bidder", "bidder_jiaye")
    lot, hour = hour_lot(seeder, project, day, three, first=5, soft_close=5)
    _second(seeder, hour, 12, 0)
    _bids(seeder, lot, ["bidder_zhongnan"], [1])
    _second(seeder, hour + 1, 6, 0)
    lot = close_and_award(seeder, lot, "竞价结束，唯一出价者竞得。")
    _sign_and_pay(seeder, project, lot, day + dt.timedelta(days=1), 4)


def _identical_on_the_exchange(seeder, project: DisposalProject, day: dt.date) -> None:
    """The exchange's result file: rank, name, ID number, price (its CSV export)."""
    price = project.reserve_price + terms(project)["increment"] * 6
    rows = [("bidder_jiaye", price), ("bidder_zhongnan", price),
            ("bidder", price - terms(project)["increment"] * 2)]  # fmt: skip
    lines = ["rank,name,id number,price"]
    for rank, (username, amount) in enumerate(rows, start=1):
        _kind, name, number, *_rest = BIDDERS[username]
        lines.append(f"{rank},{name},{number},{amount}")
    seeder.clock.on(day)
    lot = result_import(
        actor=seeder.users["office"], project=project,
        stream=io.BytesIO("\n".join(lines).encode("utf-8")),
        filename=f"{project.code}-result.csv",
    )  # fmt: skip
    _sign_and_pay(seeder, project, lot, day + dt.timedelta(days=1), 5)
