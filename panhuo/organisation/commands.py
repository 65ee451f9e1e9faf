"""The places and users the ``panhuo`` commands are given (``--jurisdiction CODE``,
``--as USERNAME``), found or refused the same way in each."""

from __future__ import annotations

from django.utils.translation import gettext as _

from panhuo.core.commands import option_row
from panhuo.organisation.models import Jurisdiction, User


def jurisdiction_option(options: dict) -> Jurisdiction | None:
    """The jurisdiction whose code ``--jurisdiction`` gives (None when not given)."""
    refusal = _("No jurisdiction with code “%(jurisdiction)s”.")
    return option_row(Jurisdiction, options, "jurisdiction", refusal)


def user_option(options: dict) -> User | None:
    """The user ``--as`` names (None when not given)."""
    refusal = _("No user named “%(username)s”.")
    return option_row(User, options, "username", refusal, field="username")
