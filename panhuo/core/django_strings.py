"""Strings Django itself shows on our pages but does not yet translate into every language we
ship (Django 6.1's zh_Hans catalogue lacks them).

Marking them here puts them in our own catalogue (``makemessages`` finds them), and our
catalogue (``LOCALE_PATHS``) takes precedence over Django's. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    # The empty choice of every select built from a model field (BLANK_CHOICE_LABEL).
    gettext_noop("- Select an option -"),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
]
