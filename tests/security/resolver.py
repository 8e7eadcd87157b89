"""Every URL pattern the site answers, found by walking Django's URL resolver.

Named patterns are keyed by their reversible name ("talks:edit", "admin:events_event_change");
unnamed ones (redirects, catch-alls) by their full route ("accounts/social/signup/").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # "talks:edit", or the route itself when the pattern has no name
    route: str  # "talks/mine/<int:pk>/edit/"
    view: str  # "talks.views.talk_edit", to say where to look in a failure message

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            callback = pattern.callback
            view = f"{callback.__module__}.{getattr(callback, '__qualname__', type(callback))}"
            yield Route(key=key, route=route, view=view)


def all_routes() -> list[Route]:
    """Each key once (a name reused by two patterns is reversed to the last one, as
    Django does, so it is listed once)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.key, route)
    return list(seen.values())
