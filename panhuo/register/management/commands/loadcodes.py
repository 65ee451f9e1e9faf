"""panhuo loadcodes FILE --edition NAME: load or update the asset classification code list.

The file is GB/T 14885-2022's own layout (代码 / 名称 / 说明: parents derived from the codes)
or a local list with a parent column (code, name, parent). Every row is checked first; any
error stops the load with nothing written. ``--dry-run`` checks and reports without writing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import Operator, add_operator_argument, operator_named
from panhuo.register.classification import load_classification
from panhuo.register.importing.readers import FileRejected


class Command(BaseCommand):
    help = (
        "Load a classification code list (CSV or XLSX): GB/T 14885-2022's layout "
        "(代码, 名称, 说明) or code, name, parent. --edition names the list's edition."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--edition",
            required=True,
            help='The edition of the list, e.g. "GB/T 14885-2022" (shown with every code).',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; write nothing."
        )
        add_operator_argument(parser)

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        actor = Operator(operator_named(opts["operator"]))
        try:
            with path.open("rb") as f:
                report = load_classification(
                    f,
                    edition=opts["edition"],
                    actor=actor,
                    filename=path.name,
                    dry_run=opts["dry_run"],
                )
        except FileRejected as exc:
            raise CommandError(_("%(path)s: %(exc)s") % {"path": path.name, "exc": exc}) from None
        except ValidationError as exc:
            lines = [m for messages in exc.message_dict.values() for m in messages]
            raise CommandError(
                _("%(path)s: nothing was loaded.\n") % {"path": path.name} + "\n".join(lines)
            ) from None
        self.stdout.write(report.summary())
