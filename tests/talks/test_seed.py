"""The demo data a newcomer gets with `make run`."""

import io

from django.core.management import call_command

from talks.models import Speaker, Talk, Topic


def test_seed_demo_talks_is_idempotent(db, run_on_commit):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    with run_on_commit():
        call_command("seed_demo_talks", stdout=out)
        call_command("seed_demo_talks", stdout=out)

    assert Talk.objects.count() == 12
    assert Talk.objects.given().count() == 8
    assert Talk.objects.filter(status=Talk.Status.SUBMITTED).count() == 1
    assert Speaker.objects.filter(is_mentor=True).count() == 1
    assert Topic.objects.count() == 4
    assert Speaker.objects.get(name="Léa Dubois").user.email == "lea@example.org"
