"""Deployment checks (`manage.py check --deploy`) for what the README asks of production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_and_rate_limits(app_configs=None, **kwargs):
    """Behind a TLS proxy, the rate limits need to know how many proxies to skip."""
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and settings.TRUSTED_PROXY_COUNT == 0:
        return [
            Warning(
                "SECURE_PROXY_SSL_HEADER is set but TRUSTED_PROXY_COUNT is 0: every visitor "
                "has the proxy's address, so ten failed logins lock everyone out.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of the site "
                "(1 behind a single Caddy or nginx).",
                id="clermontech.W001",
            )
        ]
    return []
