"""The draw ("tirage au sort"): seats of an event in draw mode are drawn among requests.

How it goes (README, "Tirage au sort"):

1. During the request window (Event.draw_window_closes: 24 h after the opening unless
   set) verified members request a seat with their diet (`draw_request_create`); every
   request is equal, whenever it came. They may withdraw it (`draw_request_cancel`);
   organizers may void a request that looks like the same person twice
   (`draw_request_void`, `draw_duplicates`).
2. After the window, the scheduled command (`send_event_mail`, or `run_draws`) calls
   `draws_run_due`: each event's draw runs once (`draw_run`), under the event's row lock.
3. Weights (per event, Event.draw_weight_*): 1 for everyone; x the newcomer weight for a
   member who has never attended (events.models.members_first_timers) and whose account
   existed before the event was created; x the waiting-list weight for a member who was
   still on the waiting list of the previous evening; a member with several recent
   no-shows gets the no-show weight instead of all that.
4. Seed (commit-reveal): each event holds a random secret from its creation; the public
   draw page shows its SHA-256 (the commitment) before the draw. At the draw the secret is
   revealed and seed = SHA-256 of a canonical JSON text holding the event's address, the
   window's close time, the ordered request list (request id, a pseudonym of the member,
   weight) and the secret. Nobody can pick the secret after seeing the requests (its hash
   was public), and no member knows it in advance to aim for a good seed.
5. Weighted sampling without replacement (Efraimidis & Spirakis, 2006): each request gets
   u = a number in (0, 1] from SHA-256(seed:request id), and the key u^(1/w); ranks follow
   the keys, highest first. The keys are compared as ln(u)/w (same order), computed with
   Python's decimal module, whose ln is correctly rounded: the replay gives the same order
   on any machine.
6. The first `free` requests (capacity minus seats already confirmed) get a confirmed
   seat, the others the waiting list in drawn order (their RSVPs are created in that
   order, and the waiting list is in RSVP order), then registration is first come, first
   served behind them. Each person gets an email through the outbox.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import absolute_url
from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue_many, renderer
from members.models import Diet, User

from .calendar import event_ics
from .emails import deliverable
from .models import RSVP, Draw, DrawRequest, Event, members_first_timers

DRAW_SEAT = "events.draw_seat"
DRAW_WAITLISTED = "events.draw_waitlisted"
# "Several recent no-shows": this many no-shows (RSVPQuerySet.no_show) within this period
# before the event.
NO_SHOWS_MIN = 2
NO_SHOWS_PERIOD = timedelta(days=365)
DECIMAL_PRECISION = 60  # digits for ln(u)/w: far beyond what ties would need


class DrawError(Exception):
    """A refusal shown to the person as it is (French, or English with the request)."""


# --- Requests ------------------------------------------------------------------------


def _lock_event(event: Event) -> Event:
    # The same lock as the seat service (events.services): requests, the draw and RSVPs
    # of one event are serialised, so a request cannot slip in while the draw runs.
    return Event.objects.select_for_update().get(pk=event.pk)


def _request_refusal(event: Event, member: User) -> str | None:
    if member.is_banned:
        return _("Votre compte ne permet plus de s'inscrire aux événements de Clermont'ech.")
    if not member.is_active:
        return _("Ce compte est désactivé.")
    if not member.has_verified_email():
        return _("Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu.")
    if not event.uses_draw:
        return _("Cet événement n'est pas tiré au sort : inscrivez-vous directement.")
    if not event.draw_accepts_requests():
        return _("Les demandes de place pour ce tirage au sort ne sont pas ouvertes.")
    return None


def draw_request_create(
    *, event: Event, member: User, diet: str = Diet.NONE, diet_notes: str = "", device: str = ""
) -> tuple[DrawRequest, bool]:
    """Request a seat (or update the diet of one's request). Returns (request, created)."""
    if refusal := Diet.refusal(diet, diet_notes):
        raise DrawError(refusal)
    diet_notes = Diet.kept_notes(diet, diet_notes)
    # One short transaction under the event lock: the window is checked where the draw
    # would see the request, and the draw never runs in the middle of it.
    with transaction.atomic():
        event = _lock_event(event)
        if refusal := _request_refusal(event, member):
            raise DrawError(refusal)
        existing = DrawRequest.objects.active().filter(event=event, member=member).first()
        if existing is not None:
            existing.diet, existing.diet_notes = diet, diet_notes
            existing.save(update_fields=["diet", "diet_notes", "updated_at"])
            return existing, False
        if RSVP.objects.filter(event=event, member=member).active().exists():
            raise DrawError(_("Vous avez déjà une place (ou êtes en liste d'attente)."))
        voided = DrawRequest.objects.filter(
            event=event, member=member, status=DrawRequest.Status.VOIDED
        )
        if voided.exists():  # set aside as a duplicate: asking again would undo it
            raise DrawError(
                _(
                    "Votre demande a été écartée par les organisateurs (doublon) : "
                    "écrivez-leur si c'est une erreur."
                )
            )
        try:
            with transaction.atomic():  # the unique constraint: a twin request
                request = DrawRequest.objects.create(
                    event=event,
                    member=member,
                    diet=diet,
                    diet_notes=diet_notes,
                    device=device[:64],
                )
        except IntegrityError as error:
            raise DrawError(_("Vous avez déjà demandé une place pour ce tirage.")) from error
    return request, True


def draw_request_cancel(*, request: DrawRequest) -> bool:
    """Withdraw a request before the draw. Returns False when it was no longer active."""
    with transaction.atomic():
        event = _lock_event(request.event)
        if not event.draw_pending:
            raise DrawError(_("Le tirage a eu lieu : annulez votre inscription à la place."))
        updated = (
            DrawRequest.objects.active()
            .filter(pk=request.pk)
            .update(status=DrawRequest.Status.CANCELLED, updated_at=timezone.now())
        )
    request.refresh_from_db()
    return bool(updated)


def draw_request_void(*, requests, reason: str) -> int:
    """The organizers set aside requests (one person twice) before the draw. Returns how
    many were voided; requests of events already drawn are left as they are."""
    reason = " ".join((reason or "").split())[:200]
    voided = 0
    ids = list(requests.values_list("pk", flat=True))
    for event_id in (
        DrawRequest.objects.filter(pk__in=ids).values_list("event_id", flat=True).distinct()
    ):
        with transaction.atomic():  # under the event lock, like the draw itself
            event = Event.objects.select_for_update().get(pk=event_id)
            if not event.draw_pending:
                continue
            voided += (
                DrawRequest.objects.active()
                .filter(pk__in=ids, event=event)
                .update(
                    status=DrawRequest.Status.VOIDED, void_reason=reason, updated_at=timezone.now()
                )
            )
    return voided


# --- Looking like the same person twice ---------------------------------------------

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def normalized_email(address: str) -> str:
    """What an address reads as for a duplicate: lower case, without "+tag", and for Gmail
    (which ignores dots) without the dots of the local part."""
    local, _at, domain = (address or "").strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalized_name(name: str) -> str:
    """ "Élodie  Martin" and "elodie martin" read the same: no accents, case or spacing."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


def draw_duplicates(event: Event) -> dict[int, list[str]]:
    """Active requests that look like another active request of the same event:
    request id -> the reasons ("même nom", "même adresse", "même appareil")."""
    requests = list(DrawRequest.objects.active().filter(event=event).select_related("member"))
    keys = {
        _("même nom"): lambda r: normalized_name(r.member.display_name),
        _("même adresse e-mail"): lambda r: normalized_email(r.member.email),
        _("même appareil"): lambda r: r.device,
    }
    found: dict[int, list[str]] = {}
    for label, key in keys.items():
        groups: dict[str, list[DrawRequest]] = {}
        for request in requests:
            if value := key(request):
                groups.setdefault(value, []).append(request)
        for group in groups.values():
            if len(group) > 1:
                for request in group:
                    found.setdefault(request.pk, []).append(str(label))
    return found


# --- Weights -------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    newcomer: Decimal
    waitlisted: Decimal
    no_shows: Decimal

    @classmethod
    def of(cls, event: Event) -> Weights:
        return cls(
            newcomer=Decimal(event.draw_weight_newcomer),
            waitlisted=Decimal(event.draw_weight_waitlisted),
            no_shows=Decimal(event.draw_weight_no_shows),
        )

    def as_json(self) -> dict:
        return {k: str(v) for k, v in self.__dict__.items()}


def previous_event(event: Event) -> Event | None:
    """The evening before this one: the last published event that started before it."""
    return (
        Event.objects.published()
        .filter(starts_at__lt=event.starts_at, ends_at__lt=timezone.now())
        .exclude(pk=event.pk)
        .order_by("-starts_at")
        .first()
    )


def member_weights(event: Event, member_ids: list[int]) -> dict[int, Decimal]:
    """Each member's weight for this event's draw (four queries, whatever the number)."""
    weights = Weights.of(event)
    members = User.objects.filter(pk__in=member_ids)
    # The newcomer bonus only for accounts that existed when the event was announced:
    # accounts made for the draw after the announcement do not get it.
    newcomers = set(
        members_first_timers(members.filter(date_joined__lt=event.created_at)).values_list(
            "pk", flat=True
        )
    )
    waitlisted = set()
    if (previous := previous_event(event)) is not None:
        waitlisted = set(
            RSVP.objects.filter(
                event=previous, member_id__in=member_ids, status=RSVP.Status.WAITLISTED
            ).values_list("member_id", flat=True)
        )
    no_shows = set(
        RSVP.objects.no_show()
        .filter(member_id__in=member_ids, event__starts_at__gte=event.starts_at - NO_SHOWS_PERIOD)
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n__gte=NO_SHOWS_MIN)
        .values_list("member_id", flat=True)
    )
    result = {}
    for member_id in member_ids:
        if member_id in no_shows:
            weight = weights.no_shows
        else:
            weight = Decimal(1)
            if member_id in newcomers:
                weight *= weights.newcomer
            if member_id in waitlisted:
                weight *= weights.waitlisted
        result[member_id] = weight.quantize(Decimal("0.01"))
    return result


# --- The sampling (pure functions: the replay calls the same) -----------------------


def member_pseudonym(event_id: int, member_id: int, secret_key: str | None = None) -> str:
    """A member's name in the public record. Keyed by the site's SECRET_KEY, which is never
    published (the event's secret is revealed after the draw, so a tag derived from it
    alone could be recomputed from member ids): nobody can tell who is behind a tag, nor
    link one member's tags from one event to another; two requests of one member within
    a draw share their tag. `secret_key`: a former key (SECRET_KEY_FALLBACKS), for the
    replay of a draw made before a key rotation."""
    return salted_hmac(
        "events.draw.member_pseudonym",
        f"{event_id}:{member_id}",
        secret=secret_key,
        algorithm="sha256",
    ).hexdigest()[:16]


def _pseudonym_matches(tag: str, event_id: int, member_id: int) -> bool:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(member_pseudonym(event_id, member_id, key) == tag for key in keys)


def seed_text(*, slug: str, closed_at: datetime, requests: list, secret: str) -> str:
    """The canonical text hashed into the seed (shown on the public draw page)."""
    return json.dumps(
        {
            "event": slug,
            "closed_at": closed_at.astimezone(UTC).isoformat(),
            "requests": requests,
            "secret": secret,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def seed_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def draw_order(seed: str, requests: list) -> list[int]:
    """Request ids from rank 1 down: weighted sampling without replacement
    (Efraimidis-Spirakis keys u^(1/w), compared as ln(u)/w). `requests`: [[id, tag,
    weight as text], ...]."""
    keyed = []
    with localcontext() as context:
        context.prec = DECIMAL_PRECISION
        for request_id, _tag, weight in requests:
            digest = hashlib.sha256(f"{seed}:{request_id}".encode()).digest()
            u = (Decimal(int.from_bytes(digest, "big")) + 1) / Decimal(2**256)  # in (0, 1]
            keyed.append((u.ln() / Decimal(weight), -request_id))
    keyed.sort(reverse=True)  # highest key first; a tie (never seen) to the smaller id
    return [-negative_id for _key, negative_id in keyed]


# --- Running it ----------------------------------------------------------------------


def draw_run(*, event: Event, now: datetime | None = None) -> Draw | None:
    """Draw this event's seats if its window has closed and it was not drawn yet. Returns
    the Draw, or None when there was nothing to do (already drawn, window still open,
    not in draw mode, cancelled...). Safe to call twice at once: exactly one draws."""
    now = now or timezone.now()
    # One transaction under the event's row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite:
    # the IMMEDIATE transaction holds the write lock). The "not drawn yet" check is made
    # inside it: a second run waits for the first, then finds its Draw and stops. The Draw's
    # one-to-one key on the event is the last guard.
    with transaction.atomic():
        event = _lock_event(event)
        if (
            not event.uses_draw
            or event.status != Event.Status.PUBLISHED
            or now < event.draw_window_closes
            or Draw.objects.filter(event=event).exists()
        ):
            return None
        requests = list(
            DrawRequest.objects.active().filter(event=event).select_related("member").order_by("id")
        )
        # Requests that cannot take part any more: banned or erased since, or already
        # holding an RSVP (added by an organizer during the window).
        holding = set(RSVP.objects.filter(event=event).active().values_list("member_id", flat=True))
        eligible = [
            r
            for r in requests
            if not (r.member.is_banned or r.member.is_deleted) and r.member_id not in holding
        ]
        skipped = [r for r in requests if r not in eligible]
        weights = member_weights(event, [r.member_id for r in eligible])
        record = [
            [r.pk, member_pseudonym(event.pk, r.member_id), str(weights[r.member_id])]
            for r in eligible
        ]
        closed_at = event.draw_window_closes
        seed = seed_of(
            seed_text(
                slug=event.slug, closed_at=closed_at, requests=record, secret=event.draw_secret
            )
        )
        order = draw_order(seed, record)
        confirmed = RSVP.objects.filter(event=event).confirmed().count()
        free = len(order) if event.capacity is None else max(event.capacity - confirmed, 0)
        seats = min(free, len(order))
        draw = Draw.objects.create(
            event=event,
            drawn_at=now,
            window_closed_at=closed_at,
            secret=event.draw_secret,
            weights=Weights.of(event).as_json(),
            requests=record,
            seed=seed,
            order=order,
            seats=seats,
        )
        by_id = {r.pk: r for r in eligible}
        ranked = [by_id[request_id] for request_id in order]
        # Inserted in drawn order, in one statement per batch: the ids follow the rows'
        # order, and the waiting list follows the ids (RSVPQuerySet.waitlisted).
        # draw_replay checks that the ids did come out in drawn order.
        rsvps = RSVP.objects.bulk_create(
            [
                RSVP(
                    event=event,
                    member=request.member,
                    status=RSVP.Status.CONFIRMED if rank <= seats else RSVP.Status.WAITLISTED,
                    diet=request.diet,
                    diet_notes=request.diet_notes,
                    created_at=now,
                )
                for rank, request in enumerate(ranked, start=1)
            ],
            batch_size=500,
        )
        mails = []
        for rank, (request, rsvp) in enumerate(zip(ranked, rsvps, strict=True), start=1):
            request.status, request.rank, request.rsvp = DrawRequest.Status.DRAWN, rank, rsvp
            request.weight, request.updated_at = weights[request.member_id], now
            # No dedupe key: the draw itself runs once (its Draw row), so are its emails;
            # a key would cost a savepoint per message.
            mails.append(
                Mail(
                    kind=DRAW_SEAT if rsvp.is_confirmed else DRAW_WAITLISTED,
                    to=request.member.email,
                    params={"rsvp": rsvp.pk, "rank": rank},
                    recipient=request.member,
                    group=event.outbox_group,
                )
            )
        DrawRequest.objects.bulk_update(
            eligible, ["status", "rank", "rsvp", "weight", "updated_at"]
        )
        DrawRequest.objects.filter(pk__in=[r.pk for r in skipped]).update(
            status=DrawRequest.Status.SKIPPED, updated_at=now
        )
        # In French, like every message sent outside a request.
        outbox_queue_many(
            [mail for mail in mails if deliverable(mail.to)],
            language=settings.LANGUAGE_CODE,
        )
    return draw


def draws_due(now: datetime | None = None):
    """Events in draw mode whose window has closed and that have not been drawn."""
    now = now or timezone.now()
    return (
        Event.objects.published()
        .filter(allocation=Event.Allocation.DRAW, draw__isnull=True, ends_at__gt=now)
        .order_by("starts_at")
    )


def draws_run_due(*, now: datetime | None = None) -> list[Draw]:
    """What the scheduled command runs: every draw whose window has closed."""
    now = now or timezone.now()
    done = []
    for event in draws_due(now):
        if now >= event.draw_window_closes and (draw := draw_run(event=event, now=now)):
            done.append(draw)
    return done


# --- Replaying it --------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    match: bool
    seed: str
    order: list[int]
    problems: list[str]


def draw_replay(draw: Draw) -> Replay:
    """Recompute the seed and the order from the record, and check the record against
    the rows (the requests drawn, their weights, the RSVPs created in drawn order)."""
    problems = []
    if hashlib.sha256(draw.secret.encode()).hexdigest() != draw.event.draw_commitment:
        problems.append(_("la valeur secrète ne correspond pas à l'engagement publié"))
    text = seed_text(
        slug=draw.event.slug,
        closed_at=draw.window_closed_at,
        requests=draw.requests,
        secret=draw.secret,
    )
    seed = seed_of(text)
    if seed != draw.seed:
        problems.append(_("graine différente : %(seed)s") % {"seed": seed})
    order = draw_order(seed, draw.requests)
    if order != draw.order:
        problems.append(_("ordre différent"))
    rows = {
        r.pk: r
        for r in DrawRequest.objects.filter(event=draw.event, status=DrawRequest.Status.DRAWN)
    }
    recorded = {request_id: (tag, weight) for request_id, tag, weight in draw.requests}
    if set(rows) != set(recorded):
        problems.append(_("les demandes tirées ne sont pas celles du registre"))
    for request_id, row in rows.items():
        tag, weight = recorded.get(request_id, (None, None))
        if not _pseudonym_matches(tag, draw.event_id, row.member_id) or weight != str(row.weight):
            problems.append(_("demande n° %(n)d différente du registre") % {"n": request_id})
        if row.rank != (draw.order.index(request_id) + 1 if request_id in draw.order else None):
            problems.append(_("rang de la demande n° %(n)d différent") % {"n": request_id})
    rsvp_ids = [rows[i].rsvp_id for i in draw.order if i in rows]
    if None in rsvp_ids or rsvp_ids != sorted(rsvp_ids):
        problems.append(_("les inscriptions n'ont pas été créées dans l'ordre du tirage"))
    return Replay(match=not problems, seed=seed, order=order, problems=problems)


# --- Emails (written at delivery, like every email of the site) ----------------------


def _draw_email(message: OutboxMessage, *, confirmed: bool) -> EmailMessage | None:
    rsvp = (
        RSVP.objects.select_related("member", "event__venue")
        .filter(pk=message.params.get("rsvp"))
        .first()
    )
    # Not sent when it no longer applies: cancelled since, promoted since (the promotion's
    # own email tells them), or the event cancelled (its notice tells them).
    if rsvp is None or rsvp.is_confirmed != confirmed or not rsvp.event.is_published:
        return None
    if not rsvp.is_active:
        return None
    event = rsvp.event
    context = {
        "rsvp": rsvp,
        "event": event,
        "member": rsvp.member,
        "rank": message.params.get("rank"),
        "position": rsvp.waitlist_position(),
        "starts_at": timezone.localtime(event.starts_at),
        "event_url": absolute_url(event.get_absolute_url()),
        "draw_url": absolute_url(reverse("events:draw", kwargs={"slug": event.slug})),
        "ticket_url": absolute_url(reverse("events:ticket", kwargs={"slug": event.slug})),
    }
    if confirmed:
        subject = _("Tirage au sort : vous avez une place pour %(event)s") % {"event": event}
    else:
        subject = _("Tirage au sort : liste d'attente pour %(event)s") % {"event": event}
    email = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(
            "emails/draw_seat.txt" if confirmed else "emails/draw_waitlisted.txt", context
        ),
    )
    if confirmed:
        email.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    return email


@renderer(DRAW_SEAT, gettext_lazy("Tirage au sort : place attribuée"))
def _render_draw_seat(message: OutboxMessage) -> EmailMessage | None:
    return _draw_email(message, confirmed=True)


@renderer(DRAW_WAITLISTED, gettext_lazy("Tirage au sort : liste d'attente"))
def _render_draw_waitlisted(message: OutboxMessage) -> EmailMessage | None:
    return _draw_email(message, confirmed=False)
