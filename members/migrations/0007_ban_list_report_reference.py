import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import community.models


def backfill(apps, schema_editor):
    """A random reference for each existing report; a ban-list row for each address of
    each member banned today, so that deleting their account no longer lifts the ban."""
    from community.bans import email_fingerprint

    IncidentReport = apps.get_model("members", "IncidentReport")
    taken = set()
    for report in IncidentReport.objects.filter(reference__isnull=True):
        reference = community.models.new_report_reference()
        while reference in taken:
            reference = community.models.new_report_reference()
        taken.add(reference)
        report.reference = reference
        report.save(update_fields=["reference"])

    User = apps.get_model("members", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    BannedAddress = apps.get_model("members", "BannedAddress")
    for member in User.objects.filter(banned_at__isnull=False, deleted_at__isnull=True):
        addresses = {member.email, *EmailAddress.objects.filter(user=member).values_list("email", flat=True)}
        for address in addresses:
            BannedAddress.objects.get_or_create(
                fingerprint=email_fingerprint(address),
                defaults={"banned_at": member.banned_at, "reason": member.ban_reason, "member": member},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        ("members", "0006_organizers"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentreport",
            name="reference",
            field=models.CharField(editable=False, max_length=9, null=True, verbose_name="référence"),
        ),
        migrations.CreateModel(
            name="BannedAddress",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fingerprint", models.CharField(max_length=64, unique=True, verbose_name="empreinte de l'adresse")),
                ("banned_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="exclu le")),
                ("reason", models.TextField(blank=True, verbose_name="motif")),
                ("banned_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="exclu par")),
                ("member", models.ForeignKey(blank=True, help_text="« Membre supprimé » quand la personne a supprimé son compte depuis.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="banned_addresses", to=settings.AUTH_USER_MODEL, verbose_name="compte")),
            ],
            options={
                "verbose_name": "adresse exclue",
                "verbose_name_plural": "adresses exclues",
                "ordering": ["-banned_at"],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incidentreport",
            name="reference",
            field=models.CharField(default=community.models.new_report_reference, editable=False, help_text="Aléatoire : elle ne dit pas combien de signalements existent.", max_length=9, unique=True, verbose_name="référence"),
        ),
    ]
