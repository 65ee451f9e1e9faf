"""``panhuo avm train``: train the valuation model on the recorded deals and print its error."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.organisation.models import Jurisdiction


class Command(BaseCommand):
    help = "Train the automated valuation model on the recorded deals (land and buildings)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train"])
        parser.add_argument(
            "--jurisdiction", help="Code of the jurisdiction whose deals to use (default: all)."
        )

    def handle(self, *args, action, jurisdiction=None, **options):
        from panhuo.pricing.avm import avm_train

        place = None
        if jurisdiction:
            place = Jurisdiction.objects.filter(code=jurisdiction).first()
            if place is None:
                raise CommandError(
                    _("Unknown jurisdiction code “%(jurisdiction)s”.")
                    % {"jurisdiction": jurisdiction}
                )
        try:
            run = avm_train(jurisdiction=place)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        m = run.metrics
        self.stdout.write(
            f"AVM run #{run.pk}: {m['n_deals']} deals ({m['n_assets']} assets); "
            f"held out {run.n_test} deals: MAPE {float(run.mape):.1%}, "
            f"median {float(run.median_ape):.1%}, p90 {m['p90_ape']:.1%}."
        )
