"""The Organisateurs group: what organizers may do, and that staff status alone allows nothing."""

from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from events.models import Event
from members.models import User
from members.organizers import ORGANIZERS_GROUP, organizers_group_sync
from talks.models import Talk
from talks.services import TalkError, talk_set_status
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    SpeakerFactory,
    StaffFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _codes(group: Group) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_group_exists_after_migrate_with_exactly_the_organizer_permissions():
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    codes = _codes(group)

    assert {
        "members.organize",
        "events.change_event",
        "events.add_rsvp",
        "talks.change_talk",
        "sponsors.add_sponsor",
        "members.change_user",
        "community.add_announcement",
        "account.change_emailaddress",
    } <= codes
    # Never through the group: deleting member rows, appointing organizers, reports.
    assert "members.delete_user" not in codes
    assert "community.view_incidentreport" not in codes
    assert not {c for c in codes if c.startswith(("auth.", "sites.", "admin.", "sessions."))}


def test_sync_restores_a_removed_permission_and_drops_a_foreign_one():
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    change_event = Permission.objects.get(codename="change_event")
    add_group = Permission.objects.get(codename="add_group")
    group.permissions.remove(change_event)
    group.permissions.add(add_group)

    organizers_group_sync()

    codes = _codes(group)
    assert "events.change_event" in codes
    assert "auth.add_group" not in codes


def test_the_migration_puts_existing_staff_in_the_group():
    from importlib import import_module

    migration = import_module("members.migrations.0006_organizers")
    staff = StaffFactory()
    member = UserFactory()

    migration.create_organizers_group(global_apps, None)

    assert staff.groups.filter(name=ORGANIZERS_GROUP).exists()
    assert not member.groups.exists()


def test_is_organizer_needs_the_group_not_only_staff_status():
    assert OrganizerFactory().is_organizer
    assert SuperuserFactory().is_organizer
    assert not StaffFactory().is_organizer
    assert not UserFactory().is_organizer
    inactive = OrganizerFactory(is_active=False)
    assert not User.objects.get(pk=inactive.pk).is_organizer


def test_organizers_queryset_matches_is_organizer():
    organizer, superuser = OrganizerFactory(), SuperuserFactory()
    StaffFactory(), UserFactory(), OrganizerFactory(is_active=False)

    assert set(User.objects.organizers()) == {organizer, superuser}


def test_organizer_addresses_are_the_setting_or_else_every_organizer_once(settings):
    OrganizerFactory(email="b-orga@example.org"), SuperuserFactory(email="a-root@example.org")
    StaffFactory(email="staff@example.org")
    OrganizerFactory(email="gone@example.org", is_active=False)

    settings.ORGANIZERS_EMAILS = []
    assert User.objects.organizer_addresses() == ["a-root@example.org", "b-orga@example.org"]
    settings.ORGANIZERS_EMAILS = ["orgas@example.org", " Orgas@Example.org", "bureau@example.org"]
    assert User.objects.organizer_addresses() == ["orgas@example.org", "bureau@example.org"]


# The whole admin, as each kind of staff ----------------------------------------------

SUPERUSER_ONLY_MODELS = {"auth.group", "sites.site", "socialaccount.socialapp",
                         "socialaccount.socialaccount", "socialaccount.socialtoken",
                         "account.emailconfirmation"}  # fmt: skip
REPORT_MODELS = {"community.incidentreport"}


def _admin_pages():
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        info = model._meta.app_label, model._meta.model_name
        yield label, reverse("admin:{}_{}_changelist".format(*info)), model_admin


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_admin_list_opens_for_an_organizer_except_superuser_matters():
    EventFactory()
    client = _client(OrganizerFactory())

    for label, url, _admin in _admin_pages():
        expected = 403 if label in SUPERUSER_ONLY_MODELS | REPORT_MODELS else 200
        assert client.get(url).status_code == expected, label


def test_every_add_form_an_organizer_may_use_opens():
    client = _client(OrganizerFactory())
    organizer_labels = set()
    for label, _url, _model_admin in _admin_pages():
        if label in SUPERUSER_ONLY_MODELS | REPORT_MODELS:
            continue
        info = label.split(".")
        try:
            url = reverse("admin:{}_{}_add".format(*info))
        except NoReverseMatch:
            continue
        response = client.get(url)
        # Some models are never added by hand (history, deliveries, imported posts).
        assert response.status_code in {200, 403}, label
        if response.status_code == 200:
            organizer_labels.add(label)
    assert {"events.event", "events.venue", "events.rsvp", "talks.talk", "talks.speaker",
            "sponsors.sponsor", "community.announcement"} <= organizer_labels  # fmt: skip


def test_staff_without_the_group_sees_and_changes_nothing_in_the_admin():
    event = EventFactory(capacity=50)
    client = _client(StaffFactory())

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:events_event_changelist") not in index.content.decode()
    for label, url, _admin in _admin_pages():
        assert client.get(url).status_code == 403, label
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), {"capacity": "0"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.capacity == 50
    for name in ["events_event_catering", "events_event_attendees_csv"]:
        assert client.get(reverse(f"admin:{name}", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:talks_talk_programme_index")).status_code == 403


def test_staff_without_the_group_is_no_organizer_on_the_site():
    staff = StaffFactory()
    client = _client(staff)
    event = EventFactory()
    draft = EventFactory(draft=True)
    talk = TalkFactory(speakers=[SpeakerFactory()])

    assert client.get(reverse("events:checkin", args=[event.slug])).status_code == 403
    assert client.get(draft.get_absolute_url()).status_code == 404
    with pytest.raises(TalkError):
        talk_set_status(talk=talk, status=Talk.Status.ACCEPTED, by=staff)
    talk.refresh_from_db()
    assert talk.status == Talk.Status.SUBMITTED


def test_an_organizer_runs_the_door_and_decides_on_talks():
    organizer = OrganizerFactory()
    event = EventFactory()
    talk = TalkFactory()
    client = _client(organizer)

    assert client.get(reverse("events:checkin", args=[event.slug])).status_code == 200
    talk_set_status(talk=talk, status=Talk.Status.ACCEPTED, by=organizer)
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.ACCEPTED


def test_an_organizer_cannot_make_themselves_superuser():
    organizer = OrganizerFactory()
    client = _client(organizer)
    url = reverse("admin:members_user_change", args=[organizer.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    data = {"email": organizer.email, "display_name": organizer.display_name,
            "is_active": "on", "is_staff": "on", "is_superuser": "on",
            "receives_announcements": "on"}  # fmt: skip
    client.post(url, data)

    organizer.refresh_from_db()
    assert not organizer.is_superuser


def test_an_organizer_cannot_take_over_another_staff_account():
    other = OrganizerFactory(email="autre-orga@example.org")
    superuser = SuperuserFactory()
    client = _client(OrganizerFactory())

    for target in (other, superuser):
        change = reverse("admin:members_user_change", args=[target.pk])
        client.post(change, {"email": "pirate@example.org", "display_name": "Pirate"})
        target.refresh_from_db()
        assert target.email != "pirate@example.org"
        password = reverse("admin:auth_user_password_change", args=[target.pk])
        assert client.get(password).status_code == 403


def test_an_organizer_still_edits_ordinary_members():
    member = UserFactory(display_name="Avant")
    client = _client(OrganizerFactory())
    url = reverse("admin:members_user_change", args=[member.pk])
    data = {"email": member.email, "display_name": "Après", "is_active": "on",
            "receives_announcements": "on"}  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.display_name == "Après"


def test_draft_events_stay_hidden_from_staff_without_the_group_until_they_join():
    draft = EventFactory(draft=True, starts_at=timezone.now() + timedelta(days=3))
    staff = StaffFactory()
    client = _client(staff)
    assert client.get(draft.get_absolute_url()).status_code == 404

    staff.groups.add(organizers_group_sync())
    client = _client(User.objects.get(pk=staff.pk))
    assert client.get(draft.get_absolute_url()).status_code == 200
    with pytest.raises(ObjectDoesNotExist):
        Event.objects.public().get(pk=draft.pk)


def test_an_organizer_changes_their_own_staff_account_only_on_their_profile():
    organizer = OrganizerFactory(email="orga-moi@example.org")
    client = _client(organizer)
    url = reverse("admin:members_user_change", args=[organizer.pk])

    page = client.get(url)
    response = client.post(url, {"email": "autre@example.org", "display_name": "Autre"})

    assert page.status_code == 200  # read only
    assert 'name="email"' not in page.content.decode()
    assert response.status_code == 403
    organizer.refresh_from_db()
    assert organizer.email == "orga-moi@example.org"
