"""The community models now live in the community app (community/migrations/0001):
they leave the members app's state; their tables and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_ban_list_report_reference'),
        ('community', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='delivery',
                    name='announcement',
                ),
                migrations.RemoveField(
                    model_name='bannedaddress',
                    name='banned_by',
                ),
                migrations.RemoveField(
                    model_name='bannedaddress',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='incidentreport',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='incidentreport',
                    name='reporter',
                ),
                migrations.DeleteModel(
                    name='Announcement',
                ),
                migrations.DeleteModel(
                    name='BannedAddress',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='IncidentReport',
                ),
            ],
            database_operations=[],
        ),
    ]
