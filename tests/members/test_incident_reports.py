import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import IncidentReport
from tests.factories import EventFactory, IncidentReportFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Une personne a fait des remarques insistantes sur ma tenue pendant la pause."


def test_report_anonymous_when_logged_out_and_organizers_get_a_link_without_the_text(
    client, settings, event, django_capture_on_commit_callbacks
):
    settings.ORGANIZERS_EMAILS = ["coc@clermontech.org", "orga2@clermontech.org"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community:report"),
            {"event": event.pk, "what_happened": TEXT, "contact_email": ""},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("community:report-done")
    report = IncidentReport.objects.get()
    assert (report.event, report.what_happened, report.reporter, report.contact_email) == (
        event,
        TEXT,
        None,
        "",
    )
    assert report.is_anonymous
    # One email per organizer address (the outbox sends and retries each on its own).
    assert sorted(m.to[0] for m in mail.outbox) == ["coc@clermontech.org", "orga2@clermontech.org"]
    email = mail.outbox[0]
    assert email.subject == f"[Clermont'ech] Nouveau signalement ({report.reference})"
    admin_url = "http://127.0.0.1:8000" + reverse(
        "admin:community_incidentreport_change", args=[report.pk]
    )
    assert admin_url in email.body
    assert "remarques" not in email.body
    assert "tenue" not in email.body
    assert event.title not in email.body


def test_report_email_falls_back_to_active_staff(
    client, organizer, member, django_capture_on_commit_callbacks
):
    OrganizerFactory(email="former@example.org", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:report"), {"what_happened": TEXT})

    assert [m.to for m in mail.outbox] == [["orga@example.org"]]


def test_report_logged_in_is_anonymous_unless_the_member_attaches_their_name(member_client, member):
    member_client.post(reverse("community:report"), {"what_happened": "Premier"})
    member_client.post(
        reverse("community:report"),
        {"what_happened": "Second", "identify": "on", "contact_email": "camille@example.org"},
    )

    assert list(IncidentReport.objects.order_by("pk").values_list("what_happened", "reporter")) == [
        ("Premier", None),
        ("Second", member.pk),
    ]


def test_report_logged_out_form_has_no_identify_field(client):
    response = client.get(reverse("community:report"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="what_happened"' in page
    assert 'name="identify"' not in page


def test_report_without_text_shows_an_error_and_saves_nothing(client):
    response = client.post(
        reverse("community:report"), {"what_happened": "   ", "contact_email": "pas-un-email"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Décrivez ce qui s&#x27;est passé." in page
    assert "Saisissez une adresse de courriel valide." in page
    assert IncidentReport.objects.count() == 0
    assert mail.outbox == []


def test_report_unknown_event_is_an_error_not_a_crash(client):
    response = client.post(reverse("community:report"), {"event": "999999", "what_happened": TEXT})

    assert response.status_code == 400
    assert IncidentReport.objects.count() == 0


def test_report_in_admin_is_hidden_from_staff_without_the_permission(client):
    report = IncidentReportFactory(what_happened=TEXT)
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    listing = client.get(reverse("admin:community_incidentreport_changelist"))
    detail = client.get(reverse("admin:community_incidentreport_change", args=[report.pk]))

    assert (listing.status_code, detail.status_code) == (403, 403)


def test_report_in_admin_is_readable_with_the_view_permission(client):
    report = IncidentReportFactory(what_happened=TEXT)
    referent = UserFactory(is_staff=True)
    referent.user_permissions.add(Permission.objects.get(codename="view_incidentreport"))
    client.force_login(referent)

    detail = client.get(reverse("admin:community_incidentreport_change", args=[report.pk]))

    assert detail.status_code == 200
    assert "remarques insistantes" in detail.content.decode()


def test_report_in_admin_is_hidden_from_organizers_not_in_charge(organizer_client):
    report = IncidentReportFactory(what_happened=TEXT)

    detail = organizer_client.get(
        reverse("admin:community_incidentreport_change", args=[report.pk])
    )

    assert detail.status_code == 403


def test_report_admin_list_query_count_does_not_grow(
    organizer, organizer_client, django_assert_num_queries
):
    organizer.user_permissions.add(Permission.objects.get(codename="view_incidentreport"))
    url = reverse("admin:community_incidentreport_changelist")
    IncidentReportFactory(event=EventFactory(), reporter=UserFactory())
    with CaptureQueriesContext(connection) as one:
        assert organizer_client.get(url).status_code == 200
    for _ in range(3):
        IncidentReportFactory(event=EventFactory(), reporter=UserFactory())

    with django_assert_num_queries(len(one)):
        response = organizer_client.get(url)

    assert len(response.context["cl"].result_list) == 4
