"""``panhuo auctions close-due``: close every lot whose end has passed by the server's clock and
record its result (``--every N`` repeats it every N seconds, as a service beside the worker)."""

from __future__ import annotations

import time

from panhuo.auctions.services import close_due
from panhuo.core.commands import ActionsCommand
from panhuo.integrity.services import Operator, add_operator_argument, operator_named


class Command(ActionsCommand):
    help = "Auction tasks: close the lots whose bidding has ended."

    def add_actions(self, sub):
        close = sub.add_parser(
            "close-due",
            help="Close every open lot past its end (a lot with no bid or under its reserve "
            "fails); each under the lot's lock, so a bid racing the end is in or refused.",
        )
        close.add_argument(
            "--every", type=float, default=0, help="Repeat every this many seconds (0: once)."
        )
        add_operator_argument(close)

    def handle(self, *args, **opts):
        operator = Operator(operator_named(opts.get("operator") or ""))
        while True:
            for lot in close_due(actor=operator):
                self.stdout.write(f"{lot}: {lot.get_status_display()} {lot.price or ''}".rstrip())
            if not opts["every"]:
                return
            time.sleep(opts["every"])
