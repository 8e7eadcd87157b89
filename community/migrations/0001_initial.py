"""The community models move here from the members app, without moving a row.

Their tables keep their names (Meta.db_table "members_..."): this migration only tells
Django's state that the models now belong to `community` (no SQL), and renames their
content types, so permissions (the Organisateurs group's, the incident reports' given
one by one) and the admin's history follow them. members 0008 removes them from the
members app's state, after this one.
"""

import community.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ["announcement", "delivery", "incidentreport", "bannedaddress"]


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue  # created by an earlier run: leave both as they are
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_community(apps, schema_editor):
    _move_content_types(apps, "members", "community")


def content_types_to_members(apps, schema_editor):
    _move_content_types(apps, "community", "members")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('members', '0007_ban_list_report_reference'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0004_event_room_and_unlimited_capacity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Announcement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200, verbose_name='objet')),
                        ('body', models.TextField(help_text='En Markdown : **gras**, *italique*, [lien](https://…), listes avec « - ». Le lien de désinscription est ajouté automatiquement en bas du message.', verbose_name='message')),
                        ('status', models.CharField(choices=[('draft', 'brouillon'), ('sending', 'envoi en cours'), ('sent', 'envoyée')], default='draft', max_length=20, verbose_name='statut')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='créée le')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='modifiée le')),
                        ('tested_fingerprint', models.CharField(blank=True, editable=False, max_length=64)),
                        ('tested_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='dernier test le')),
                        ('send_started_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='envoi lancé le')),
                        ('send_finished_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='envoi terminé le')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='écrite par')),
                        ('event', models.ForeignKey(blank=True, help_text="Facultatif : ajoute la date, le lieu et le lien d'inscription sous le texte.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='announcements', to='events.event', verbose_name='événement')),
                        ('sent_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='envoyée par')),
                    ],
                    options={
                        'verbose_name': 'annonce',
                        'verbose_name_plural': 'annonces',
                        'db_table': 'members_announcement',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='BannedAddress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fingerprint', models.CharField(max_length=64, unique=True, verbose_name="empreinte de l'adresse")),
                        ('banned_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='exclu le')),
                        ('reason', models.TextField(blank=True, verbose_name='motif')),
                        ('banned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='exclu par')),
                        ('member', models.ForeignKey(blank=True, help_text='« Membre supprimé » quand la personne a supprimé son compte depuis.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='banned_addresses', to=settings.AUTH_USER_MODEL, verbose_name='compte')),
                    ],
                    options={
                        'verbose_name': 'adresse exclue',
                        'verbose_name_plural': 'adresses exclues',
                        'db_table': 'members_bannedaddress',
                        'ordering': ['-banned_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'en attente'), ('sending', 'en cours'), ('sent', 'envoyé'), ('failed', 'échec'), ('skipped', 'ignoré (désinscrit entre-temps)')], default='pending', max_length=20, verbose_name='statut')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='tentatives')),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='dernière tentative')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='envoyé le')),
                        ('error', models.CharField(blank=True, max_length=500, verbose_name='erreur')),
                        ('announcement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='community.announcement', verbose_name='annonce')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='announcement_deliveries', to=settings.AUTH_USER_MODEL, verbose_name='membre')),
                    ],
                    options={
                        'verbose_name': 'envoi',
                        'verbose_name_plural': 'envois',
                        'db_table': 'members_delivery',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='IncidentReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(default=community.models.new_report_reference, editable=False, help_text='Aléatoire : elle ne dit pas combien de signalements existent.', max_length=9, unique=True, verbose_name='référence')),
                        ('what_happened', models.TextField(max_length=10000, verbose_name="ce qui s'est passé")),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail de contact')),
                        ('status', models.CharField(choices=[('new', 'nouveau'), ('in_progress', 'en cours de traitement'), ('closed', 'clos')], default='new', max_length=20, verbose_name='statut')),
                        ('organizer_notes', models.TextField(blank=True, help_text="Suivi interne : qui s'en occupe, ce qui a été décidé. Jamais envoyé.", verbose_name='notes des organisateurs')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='reçu le')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='modifié le')),
                        ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incident_reports', to='events.event', verbose_name='événement')),
                        ('reporter', models.ForeignKey(blank=True, help_text='Vide quand la personne a choisi de rester anonyme.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incident_reports', to=settings.AUTH_USER_MODEL, verbose_name='signalé par')),
                    ],
                    options={
                        'verbose_name': 'signalement',
                        'verbose_name_plural': 'signalements',
                        'db_table': 'members_incidentreport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='announcement',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'sending', 'sent'])), name='announcement_status_valid'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['announcement', 'status'], name='members_del_announc_d771e1_idx'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('announcement', 'member'), name='one_delivery_per_member_per_announcement'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'sent', 'failed', 'skipped'])), name='delivery_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='incidentreport',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['new', 'in_progress', 'closed'])), name='incident_report_status_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_community, content_types_to_members),
    ]
