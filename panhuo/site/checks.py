"""Deployment checks of the site as a whole (``panhuo check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """waitress speaks no TLS, so production sits behind a TLS proxy: without a trusted proxy
    every request looks like plain HTTP (the HTTPS redirect loops) and every client has the
    proxy's address (the sign-in throttle counts them as one)."""
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not settings.PANHUO["TRUSTED_PROXIES"]:
        return [
            checks.Warning(
                "PANHUO_TRUSTED_PROXIES is empty while SECURE_SSL_REDIRECT is on.",
                hint="Set PANHUO_TRUSTED_PROXIES to the TLS proxy's address (e.g. 127.0.0.1) "
                "and serve with `panhuo serve`; otherwise HTTPS requests are redirected in a "
                "loop and every client has the proxy's address.",
                id="panhuo.W001",
            )
        ]
    return []
