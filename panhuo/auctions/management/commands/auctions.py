"""``panhuo auctions close-due``: close every lot whose end has passed by the server's clock and
record its result (``--every N`` repeats it every N seconds, as a service beside the worker).
``panhuo auctions award-defaults``: record the default of every award whose day to sign and pay
has passed (the deposit forfeited, the lot offered to the next in the queue)."""

from __future__ import annotations

import time

from panhuo.auctions.awards import defaults_due
from panhuo.auctions.services import close_due
from panhuo.core.commands import ActionsCommand
from panhuo.integrity.services import Operator, add_operator_argument, operator_named


class Command(ActionsCommand):
    help = "Auction tasks: close the lots whose bidding has ended; record awards' defaults."

    def add_actions(self, sub):
        tasks = {
            "close-due": "Close every open lot past its end (a lot with no bid or under its "
            "reserve fails); each under the lot's lock, so a bid racing the end is in or refused.",
            "award-defaults": "Record the default of every offered award past its day to sign "
            "and pay: the deposit is forfeited and the lot offered to the next in the queue.",
        }
        for name, text in tasks.items():
            task = sub.add_parser(name, help=text)
            task.add_argument(
                "--every", type=float, default=0, help="Repeat every this many seconds (0: once)."
            )
            add_operator_argument(task)

    def handle(self, *args, **opts):
        operator = Operator(operator_named(opts.get("operator") or ""))
        while True:
            if opts["action"] == "award-defaults":
                refused: list = []
                for award in defaults_due(actor=operator, refused=refused):
                    self.stdout.write(f"{award.lot}: #{award.rank} {award.get_status_display()}")
                for award, why in refused:
                    self.stderr.write(f"{award.lot}: #{award.rank} not recorded: {why}")
            else:
                for lot in close_due(actor=operator):
                    line = f"{lot}: {lot.get_status_display()} {lot.price or ''}"
                    self.stdout.write(line.rstrip())
            if not opts["every"]:
                return
            time.sleep(opts["every"])
