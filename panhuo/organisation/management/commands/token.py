"""``panhuo token create USERNAME --name NAME``: an API token for a script, shown once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from panhuo.organisation.models import User
from panhuo.organisation.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens for scripts (token authentication of /api/v1/)."
    # Needs only the models: it must run even when the web layer's checks would fail.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = sub.add_parser("create", help="Make a token for a user and print its key once.")
        create.add_argument("username", help="The user the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for, e.g. 'ETL'.")

    def handle(self, *args, **options):
        if options["action"] == "create":
            self.create(options["username"], options["name"])

    def create(self, username: str, name: str) -> None:

        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        # Whoever runs this command on the server acts for the user: the token is theirs.
        try:
            token, key = api_token_create(actor=user, user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username} created. Its key is shown only now; "
            "send it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(key)
