"""``panhuo token create USERNAME --name NAME [--operator WHO]``: an API token for a script,
shown once. The audit log names the operator who ran the command (``--operator``, else the
system account running it) as the token's creator; the token acts as USERNAME."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from panhuo.core.commands import ActionsCommand
from panhuo.integrity.services import Operator, add_operator_argument, operator_named
from panhuo.organisation.models import User
from panhuo.organisation.services import api_token_issue


class Command(ActionsCommand):
    help = "Manage API tokens for scripts (token authentication of /api/v1/)."

    def add_actions(self, sub):
        create = sub.add_parser("create", help="Make a token for a user and print its key once.")
        create.add_argument("username", help="The user the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for, e.g. 'ETL'.")
        add_operator_argument(create)

    def handle(self, *args, **options):
        if options["action"] == "create":
            self.create(options["username"], options["name"], options["operator"])

    def create(self, username: str, name: str, operator: str = "") -> None:

        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                _("No user named “%(username)s”.") % {"username": username}
            ) from None
        if not user.is_active:
            raise CommandError(_("User “%(username)s” is not active.") % {"username": username})
        # The token is the user's; making it is the act of whoever runs this command.
        operator = operator_named(operator)
        try:
            token, key = api_token_issue(operator=Operator(operator), user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username} created by {operator}. Its key is shown "
            "only now; send it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(key)
