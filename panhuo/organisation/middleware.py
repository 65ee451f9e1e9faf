"""Each signed-in user sees the interface in the language they chose, amounts in their unit."""

from django.utils import translation

from panhuo.core import money


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if lang:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


class UserMoneyUnitMiddleware:
    """The signed-in user's unit (``User.money_unit``) is the unit of amounts for their request
    (core.money's context variable) and is reset after it, so the next request, in the same
    thread or not, starts from the site's unit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        unit = getattr(user, "money_unit", "") if user is not None and user.is_authenticated else ""
        token = money.activate(unit)
        try:
            return self.get_response(request)
        finally:
            money.deactivate(token)
