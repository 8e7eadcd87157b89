"""Sponsors on pages the sponsors app does not render (the event page, the home page).

Their templates only include our partials; these tags fetch what the partials show,
in one query each.
"""

from django import template

from sponsors.models import Sponsor, Sponsorship

register = template.Library()


@register.simple_tag
def event_sponsorships(event) -> list[Sponsorship]:
    """That evening's sponsors, whether or not they are still active sponsors."""
    return list(Sponsorship.objects.filter(event=event).select_related("sponsor"))


@register.simple_tag
def current_partners() -> list[Sponsor]:
    return list(Sponsor.objects.partners())
