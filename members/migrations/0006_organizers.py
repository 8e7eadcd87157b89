from django.db import migrations


def create_organizers_group(apps, schema_editor):
    """The group that makes an organizer (members.organizers). Its permissions are
    filled by the post_migrate sync once every app's permissions exist. Staff members
    were the organizers until now: they join the group, so nobody loses access."""
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("members", "User")
    group, _created = Group.objects.get_or_create(name="Organisateurs")
    for user in User.objects.filter(is_staff=True, deleted_at__isnull=True):
        user.groups.add(group)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("members", "0005_community"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["display_name", "email"],
                "permissions": [
                    ("organize", "Agit en organisateur sur le site (entrée, brouillons, talks)")
                ],
                "verbose_name": "membre",
                "verbose_name_plural": "membres",
            },
        ),
        migrations.RunPython(create_organizers_group, migrations.RunPython.noop),
    ]
