"""Who is an organizer: the members of the "Organisateurs" group (and superusers).

An organizer holds the `members.organize` permission, through the group. It is what
the site checks outside the admin (the door, drafts, talk decisions, reviews), and
the group's model permissions are what the admin checks. Staff status alone only
lets a person log into the admin, where they can change nothing.

The group is created by a migration (members 0006) and its permissions are kept in
sync after every `migrate` (MembersConfig.ready connects organizers_group_sync to
post_migrate), so a new model of one of ORGANIZER_APPS is covered at once.
"""

from __future__ import annotations

from django.db.models import Q

ORGANIZERS_GROUP = "Organisateurs"
ORGANIZE_PERMISSION = "members.organize"

# Organizers hold every permission on the models of these apps...
ORGANIZER_APPS = ["core", "members", "events", "talks", "sponsors", "community"]
# ...and these ones from other apps: reading task results, fixing an email address.
ORGANIZER_EXTRA_PERMISSIONS = [
    ("account", "view_emailaddress"),
    ("account", "change_emailaddress"),
    ("django_tasks_database", "view_dbtaskresult"),
]
# Not through the group: member rows are erased with "Supprimer les données"
# (community.services), never deleted; organizers do not appoint organizers (superusers
# do, in the Permissions box); incident reports are confidential and read only by the
# organizers in charge of the code of conduct, who are given these permissions one by
# one (README, "Incident reports").
ORGANIZER_EXCLUDED_PERMISSIONS = [
    ("members", "delete_user"),
    ("community", "view_incidentreport"),
    ("community", "change_incidentreport"),
    ("community", "add_incidentreport"),
    ("community", "delete_incidentreport"),
]


def organizer_permissions_q() -> Q:
    """The permissions the group must hold, as a filter on auth.Permission."""
    included = Q(content_type__app_label__in=ORGANIZER_APPS)
    for app_label, codename in ORGANIZER_EXTRA_PERMISSIONS:
        included |= Q(content_type__app_label=app_label, codename=codename)
    excluded = Q(pk__in=[])
    for app_label, codename in ORGANIZER_EXCLUDED_PERMISSIONS:
        excluded |= Q(content_type__app_label=app_label, codename=codename)
    return included & ~excluded


def organizers_group_sync(*, using: str = "default"):
    """Create the group if needed and give it exactly the organizer permissions."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.using(using).get_or_create(name=ORGANIZERS_GROUP)
    wanted = set(
        Permission.objects.using(using)
        .filter(organizer_permissions_q())
        .values_list("pk", flat=True)
    )
    current = set(group.permissions.values_list("pk", flat=True))
    if wanted != current:
        group.permissions.set(wanted)
    return group


def sync_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate receiver. Permissions are created by post_migrate too, one app at a
    time: the sync waits for the signal of the last app, once they all exist."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        organizers_group_sync(using=using)
