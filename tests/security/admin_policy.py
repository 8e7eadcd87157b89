"""The admin's model pages, generated from one policy line per registered model.

For each model the admin registers: changelist, add, change, delete, history, the
bare "<id>/" redirect, and its app's index. The expected answers follow from who the
persona is and from the line below; nothing is read from the ModelAdmin itself, so a
permission that slips (a new admin that forgets to lock a view) shows up as a failure.

Registered a new model in the admin? Add its line to ADMIN_MODELS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse

from .expect import ADMIN_LOGIN, FORBIDDEN, NOT_FOUND, OK, Expect, case, everyone, redirect
from .world import PERSONAS

ALL = frozenset({"view", "add", "change", "delete"})
NOTHING = frozenset()
READ = frozenset({"view"})


@dataclass(frozen=True)
class AdminModel:
    # What organizers may do (the Organisateurs group's permissions, members/organizers.py).
    organizers: frozenset
    # What the ModelAdmin refuses to everyone, superusers included (read-only records,
    # rows that must be cancelled or erased rather than deleted...).
    disabled: frozenset = NOTHING
    why: str = ""


ADMIN_MODELS = {
    # Superusers only: who is an organizer, the site's domain, OAuth secrets.
    "auth.Group": AdminModel(NOTHING, why="superusers appoint organizers"),
    "sites.Site": AdminModel(NOTHING),
    "socialaccount.SocialApp": AdminModel(NOTHING, why="OAuth secrets"),
    "socialaccount.SocialAccount": AdminModel(NOTHING),
    "socialaccount.SocialToken": AdminModel(NOTHING),
    "account.EmailAddress": AdminModel(frozenset({"view", "change"}), why="fix a typo"),
    "django_tasks_database.DBTaskResult": AdminModel(READ, disabled=ALL - READ),
    "core.OutboxMessage": AdminModel(ALL, disabled=frozenset({"add", "delete"}), why="a record"),
    "events.Venue": AdminModel(ALL),
    "events.Event": AdminModel(ALL),
    "events.RSVP": AdminModel(ALL, disabled=frozenset({"delete"}), why="cancel instead"),
    "events.DrawRequest": AdminModel(
        ALL, disabled=frozenset({"add", "delete"}), why="members ask; void instead"
    ),
    "events.Draw": AdminModel(ALL, disabled=ALL - READ, why="the draw's record"),
    "members.User": AdminModel(ALL - {"delete"}, disabled=frozenset({"delete"}), why="erase"),
    "community.Announcement": AdminModel(ALL),
    "community.BannedAddress": AdminModel(
        ALL, disabled=frozenset({"add", "change"}), why="written by the ban service"
    ),
    # Confidential: only the organizers given the permissions one by one read them.
    "community.IncidentReport": AdminModel(NOTHING, disabled=frozenset({"add"})),
    "talks.Speaker": AdminModel(ALL),
    "talks.Talk": AdminModel(ALL),
    "talks.Topic": AdminModel(ALL),
    "talks.SpeakerClaim": AdminModel(
        ALL, disabled=frozenset({"add", "delete"}), why="members claim; reject or undo"
    ),
    "talks.ImportedPost": AdminModel(ALL, disabled=frozenset({"add", "change"})),
    "sponsors.Sponsor": AdminModel(ALL),
}

# The permission each model page needs ("change" pages show read-only to viewers).
PAGE_NEEDS = {
    "changelist": {"view", "change"},
    "add": {"add"},
    "change": {"view", "change"},
    "delete": {"delete"},
    "history": {"view", "change"},
}
NOT_STAFF = ("anonymous", "member", "other_member", "banned")


def may(label: str, persona: str) -> frozenset:
    policy = ADMIN_MODELS[label]
    held = {"staff": NOTHING, "organizer": policy.organizers, "superuser": ALL}[persona]
    return held - policy.disabled


def page_answers(label: str, page: str) -> dict[str, Expect]:
    answers = {}
    for persona in PERSONAS:
        if persona in NOT_STAFF:
            answers[persona] = ADMIN_LOGIN
        else:
            answers[persona] = OK if may(label, persona) & PAGE_NEEDS[page] else FORBIDDEN
    return answers


def app_index_answers(app_label: str) -> dict[str, Expect]:
    """An app's admin index: a 404 for whom it would list nothing."""
    labels = [label for label in ADMIN_MODELS if label.split(".")[0] == app_label]
    answers = dict.fromkeys(NOT_STAFF, ADMIN_LOGIN)
    for persona in ("staff", "organizer", "superuser"):
        sees = any(may(label, persona) & PAGE_NEEDS["changelist"] for label in labels)
        answers[persona] = OK if sees else NOT_FOUND
    return answers


def registered_labels() -> list[str]:
    return sorted(model._meta.label for model in admin.site._registry)


def admin_model_routes() -> dict[str, list]:
    """URL key -> cases, for the model pages of every model in ADMIN_MODELS."""
    routes: dict[str, list] = {}
    for label in ADMIN_MODELS:
        app_label, model_name = label.lower().split(".")
        prefix = f"admin:{app_label}_{model_name}"

        def object_id(w, label=label):
            return {"object_id": w.admin_objects[label].pk}

        routes[f"{prefix}_changelist"] = [case(page_answers(label, "changelist"))]
        routes[f"{prefix}_add"] = [case(page_answers(label, "add"))]
        for page in ("change", "delete", "history"):
            routes[f"{prefix}_{page}"] = [case(page_answers(label, page), object_id)]

        # "<id>/" is an old address of the change page: staff are redirected to it.
        def change_url(w, prefix=prefix, label=label):
            return reverse(f"{prefix}_change", args=[w.admin_objects[label].pk])

        routes[f"admin/{app_label}/{model_name}/<path:object_id>/"] = [
            case(
                everyone(
                    ADMIN_LOGIN,
                    **dict.fromkeys(("staff", "organizer", "superuser"), redirect(change_url)),
                ),  # fmt: skip
                object_id,
            )
        ]
    app_labels = sorted({label.split(".")[0] for label in ADMIN_MODELS})
    routes["admin:app_list"] = [
        case(app_index_answers(a), lambda w, a=a: {"app_label": a}, label=a) for a in app_labels
    ]
    return routes
