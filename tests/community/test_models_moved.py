"""The community models moved from the members app without losing a row, and the
announcements' deliveries became outbox messages: checked on a database holding the
demo data, migrating back before the move and forward again."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from community.models import Announcement, BannedAddress, IncidentReport
from community.services import member_ban
from core.models import OutboxMessage
from members.models import User
from tests.factories import AnnouncementFactory, IncidentReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0007_ban_list_report_reference"), ("community", None)]
TABLES = ["members_announcement", "members_incidentreport", "members_bannedaddress"]


def _rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our own names)
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_the_move_keeps_every_row_content_type_and_permission():
    call_command("seed_demo", stdout=StringIO())
    organizer = User.objects.get(email="orga@example.org")
    announcement = AnnouncementFactory(created_by=organizer, status=Announcement.Status.SENT)
    IncidentReportFactory()
    member_ban(member=User.objects.get(email="camille@example.org"), reason="Test", by=organizer)
    before = _rows()
    view_report = Permission.objects.get(codename="view_incidentreport")

    old = _migrate(BEFORE).loader.project_state(BEFORE[0]).apps
    assert _rows() == before
    assert ContentType.objects.get(pk=view_report.content_type_id).app_label == "members"
    # What the old pipeline left: one delivery sent, one failed, the announcement "sending".
    old_delivery = old.get_model("members", "Delivery")
    old_delivery.objects.create(
        announcement_id=announcement.pk, member_id=organizer.pk, status="sent", attempts=1
    )
    camille = User.objects.get(email="camille@example.org")
    old_delivery.objects.create(
        announcement_id=announcement.pk, member_id=camille.pk, status="failed", attempts=2,
        error="refused",
    )  # fmt: skip
    old.get_model("members", "Announcement").objects.filter(pk=announcement.pk).update(
        status="sending"
    )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert _rows() == before
    assert all(value > 0 for value in before.values())
    assert IncidentReport.objects.count() == before["members_incidentreport"]
    assert BannedAddress.objects.matching("camille@example.org").exists()
    moved = ContentType.objects.get(pk=view_report.content_type_id)
    assert (moved.app_label, moved.model) == ("community", "incidentreport")
    assert Permission.objects.get(pk=view_report.pk).content_type_id == moved.pk
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    messages = OutboxMessage.objects.filter(group=f"announcement:{announcement.pk}")
    assert sorted(messages.values_list("to", "status", "attempts")) == [
        ("camille@example.org", "failed", 2),
        ("orga@example.org", "sent", 1),
    ]
