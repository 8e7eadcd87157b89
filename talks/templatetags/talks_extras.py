"""Talks on other apps' pages: the event programme, the latest videos on the home page."""

from django import template

from events.models import Event
from talks.models import Talk

register = template.Library()

STATUS_BADGES = {
    Talk.Status.SUBMITTED: "text-bg-secondary",
    Talk.Status.ACCEPTED: "text-bg-info",
    Talk.Status.CONFIRMED: "text-bg-success",
    Talk.Status.REJECTED: "text-bg-light border",
    Talk.Status.WITHDRAWN: "text-bg-light border",
    Talk.Status.CANCELLED: "text-bg-warning",
}


@register.inclusion_tag("talks/_programme.html")
def event_programme(event: Event) -> dict:
    """{% event_programme event %}: the public talks of an event, in order."""
    talks = Talk.objects.public_programme([event]).get(event.pk, [])
    return {
        "event": event,
        "talks": talks,
        "total_minutes": sum(t.duration_minutes for t in talks),
    }


@register.inclusion_tag("talks/_latest_videos.html")
def latest_talk_videos(count: int = 3) -> dict:
    """{% latest_talk_videos 3 %}: the newest talks given that have a video."""
    talks = (
        Talk.objects.given()
        .exclude(video_url="")
        .select_related("event")
        .with_speakers()
        .archive_order()[:count]
    )
    return {"talks": talks}


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap classes for a talk status badge."""
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def minutes(value: int) -> str:
    """75 -> "1 h 15", 30 -> "30 min"."""
    value = int(value or 0)
    hours, mins = divmod(value, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins:02d}" if mins else f"{hours} h"
