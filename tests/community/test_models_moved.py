"""The community models moved from the members app without losing a row: checked on a
database holding the demo data, migrating back before the move and forward again."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from community.models import Announcement, BannedAddress, Delivery, IncidentReport
from community.services import member_ban
from members.models import User
from tests.factories import AnnouncementFactory, IncidentReportFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0007_ban_list_report_reference"), ("community", None)]
TABLES = ["members_announcement", "members_delivery", "members_incidentreport",
          "members_bannedaddress"]  # fmt: skip


def _rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our own names)
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_the_move_keeps_every_row_content_type_and_permission():
    call_command("seed_demo", stdout=StringIO())
    organizer = User.objects.get(email="orga@example.org")
    announcement = AnnouncementFactory(created_by=organizer)
    Delivery.objects.create(announcement=announcement, member=organizer)
    IncidentReportFactory()
    member_ban(member=User.objects.get(email="camille@example.org"), reason="Test", by=organizer)
    before = _rows()
    view_report = Permission.objects.get(codename="view_incidentreport")

    _migrate(BEFORE)
    assert _rows() == before
    assert ContentType.objects.get(pk=view_report.content_type_id).app_label == "members"

    _migrate([("members", "0008_community_models_moved"), ("community", "0001_initial")])

    assert _rows() == before
    assert all(value > 0 for value in before.values())
    assert Announcement.objects.filter(pk=announcement.pk).exists()
    assert IncidentReport.objects.count() == before["members_incidentreport"]
    assert BannedAddress.objects.matching("camille@example.org").exists()
    moved = ContentType.objects.get(pk=view_report.content_type_id)
    assert (moved.app_label, moved.model) == ("community", "incidentreport")
    assert Permission.objects.get(pk=view_report.pk).content_type_id == moved.pk
