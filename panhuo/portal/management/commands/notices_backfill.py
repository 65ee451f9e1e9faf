"""``panhuo notices_backfill --as USERNAME``: the notices of sales that went public before the
portal existed (see ``portal.services.notices_backfill``), put up as that office user."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.organisation.models import User
from panhuo.portal.services import notices_backfill


class Command(BaseCommand):
    help = (
        "Put up the public notices of the market sales listed or with a published result "
        "before the portal existed, as an office user (audited). Run again, it adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="An office user.")

    def handle(self, *args, username: str, **options):
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user “%(username)s”.") % {"username": username})
        made = notices_backfill(actor=actor)
        self.stdout.write(f"{len(made)} notice(s) put up.")
