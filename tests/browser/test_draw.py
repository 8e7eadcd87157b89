"""A member asks for a seat at an evening in draw mode, then the draw gives it to them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events.draw import draw_run
from events.models import RSVP, DrawRequest
from tests.browser.helpers import log_in
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_member_requests_a_seat_and_the_draw_gives_it(page):
    member = UserFactory(date_joined=timezone.now() - timedelta(days=90))
    event = EventFactory(draw=True, capacity=1)
    log_in(page, email=member.email)

    page.goto(event.get_absolute_url())
    expect(page.get_by_test_id("draw-weights")).to_contain_text("3 fois plus de chances")
    expect(page.get_by_role("button", name="Je m'inscris")).to_have_count(0)
    page.get_by_label("Végétarien").check()
    page.get_by_role("button", name="Demander une place").click()

    request = DrawRequest.objects.get(member=member)
    expect(page.locator(".messages")).to_contain_text(
        "C'est noté : votre demande de place est enregistrée."
    )
    expect(page.get_by_test_id("my-draw-request")).to_have_text(
        f"Votre demande n° {request.pk} est enregistrée. Vous recevrez le résultat du "
        "tirage par e-mail."
    )
    assert request.diet == "vegetarian"

    mail.outbox = []
    draw_run(event=event, now=event.draw_window_closes + timedelta(minutes=1))
    page.reload()

    expect(page.get_by_test_id("my-rsvp")).to_have_text("Votre place est confirmée.")
    assert RSVP.objects.get(event=event, member=member).is_confirmed
    assert [m.subject for m in mail.outbox] == [
        f"[Clermont'ech] Tirage au sort : vous avez une place pour {event.title}"
    ]
    page.get_by_role("link", name="Voir le tirage et son résultat").click()
    expect(page.get_by_test_id("draw-results")).to_contain_text(str(request.pk))
    expect(page.get_by_test_id("draw-results")).not_to_contain_text(member.display_name)
