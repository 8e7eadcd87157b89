"""Importing the old site's archive: `manage.py import_jekyll SITE_DIR` calls jekyll_import().

The service of talks.services for this one job, kept in its own module (services.py is
already long): it writes events, venues, talks, speakers and their photos.

How it goes:

1. Every file of `_posts/` is read and parsed (talks.jekyll, no database). A post that
   cannot be understood is reported and skipped; other kinds of posts are ignored.
2. The plan: which event or talk each post becomes (an earlier import, recorded in
   ImportedPost; else an event with the same number, or a talk of that event with the
   same title or speakers, entered by hand before; else a new row and its address),
   so that `{% post_url %}` links can point at pages that will exist.
3. Each post is written in its own transaction: a post that fails leaves nothing
   behind and the others go on. Events first, then talks.

Idempotence: a second run writes nothing when the archive did not change. For each
field, ImportedPost keeps a fingerprint of the value last imported; a field whose
current value differs from it was edited in the admin and is kept, unless
overwrite=True. A row that existed before any import keeps its filled-in fields the
same way. Speakers are shared by many posts and may belong to a member: the import
only fills their empty fields (link, photo), never replaces them (only a link of the
archive that an earlier version filed in the wrong field moves to its own). What an
earlier version made up without a fingerprint (EARLIER_IMPORT_DEFAULTS) is corrected
unless it was changed by hand.

dry_run=True runs the very same code inside a transaction that is rolled back at
the end (and writes no photo file), so its report is the real one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.images import image_fields_save
from events.models import DEFAULT_CAPACITY, Event, Venue
from events.services import RSVPError, event_set_capacity

from . import jekyll, jekyll_prose, old_site
from .images import speaker_photo_process
from .jekyll import EventData, JekyllError, Post, TalkData
from .jekyll_venues import venue_address_key, venue_name_key
from .models import (
    RESERVED_TALK_SLUGS,
    ImportedPost,
    Speaker,
    Talk,
    TalkSpeaker,
    TalkStatusChange,
    speaker_slug,
)

POST_SUFFIXES = {".md", ".markdown", ".html"}
EMPTY = ("", None, [])
STATUS_NOTE = "import de l'archive du site Jekyll"
# Values that earlier versions of the import wrote without a fingerprint (the model's
# default): a field still holding it was not edited in the admin, and may be corrected.
EARLIER_IMPORT_DEFAULTS = {"level": Talk.Level.BEGINNER, "capacity": DEFAULT_CAPACITY}
NEW_VENUE = "\x00new venue\x00"  # the venue of the archive does not exist yet


@dataclass
class ImportReport:
    """What an import did (or would do), for the organizers."""

    dry_run: bool = False
    posts: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped: list[tuple[str, str]] = field(default_factory=list)  # not imported at all
    dates: list[tuple[str, str]] = field(default_factory=list)  # a date corrected or to check
    warnings: list[tuple[str, str]] = field(default_factory=list)  # a field not understood
    removed: list[tuple[str, str]] = field(default_factory=list)  # text taken out, and why
    kept: list[tuple[str, list[str]]] = field(default_factory=list)  # admin edits kept
    ignored: list[str] = field(default_factory=list)  # neither an API Hour nor a talk
    redirected: int = 0  # old addresses that now lead to an imported page

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[kind][outcome]


def _norm(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def fingerprint(value) -> str:
    data = json.dumps(_norm(value), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _accents(name: str) -> int:
    """How many accented letters a spelling has ("Loïc" 1, "Loic" 0)."""
    return sum(1 for c in name if unicodedata.normalize("NFKD", c) != c)


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[-_.\s]+", slugify(name.replace("_", "-"))) if w]


@dataclass
class _TalkPlan:
    post: Post
    data: TalkData
    talk: Talk | None  # the row to update, when there is one
    slug: str
    position: int | None = None
    format: str = Talk.Format.SHORT


class _Importer:
    def __init__(
        self, *, images_dir: Path | None, overwrite: bool, dry_run: bool, flickr_user, old_site
    ):
        self.images_dir = images_dir.resolve() if images_dir else None
        self.overwrite = overwrite
        self.dry_run = dry_run
        self.flickr_user = flickr_user
        self.old_site = old_site
        self.report = ImportReport(dry_run=dry_run)
        self.now = timezone.now()
        self.created_speakers: set[str] = set()
        self.updated_speakers: set[str] = set()
        self.seen_speakers: set[str] = set()

    # Reading -------------------------------------------------------------------

    def read(self, posts_dir: Path) -> tuple[list[tuple[Post, EventData]], list[Post]]:
        events: dict[int, tuple[Post, EventData]] = {}
        talks: list[Post] = []
        files = sorted(
            p for p in posts_dir.rglob("*") if p.is_file() and p.suffix.lower() in POST_SUFFIXES
        )
        self.report.posts = len(files)
        recorded = set(
            ImportedPost.objects.filter(kind=ImportedPost.Kind.EVENT).values_list(
                "source", flat=True
            )
        )
        for path in files:
            name = path.relative_to(posts_dir).as_posix()
            try:
                post = jekyll.read_post(name, path.read_text(encoding="utf-8"))
                kind = jekyll.post_kind(post)
                if kind is None:
                    self.report.ignored.append(name)
                elif kind == "talk":
                    talks.append(post)
                else:
                    data = jekyll.parse_event(
                        post, flickr_user=self.flickr_user, old_site=self.old_site
                    )
                    other = events.get(data.number)
                    if other is not None:
                        # Two posts for one number: the one imported before stays.
                        keep, drop = (other, (post, data))
                        if post.name in recorded and other[0].name not in recorded:
                            keep, drop = drop, keep
                        events[data.number] = keep
                        self.report.skipped.append(
                            (
                                drop[0].name,
                                _("l'API Hour n°%(n)d est déjà décrite par %(other)s")
                                % {"n": data.number, "other": keep[0].name},
                            )
                        )
                    else:
                        events[data.number] = (post, data)
            except UnicodeDecodeError:
                self.report.skipped.append((name, _("fichier illisible (pas en UTF-8)")))
            except OSError as error:
                self.report.skipped.append((name, _("fichier illisible (%(e)s)") % {"e": error}))
            except JekyllError as error:
                self.report.skipped.append((name, str(error)))
        ordered = [events[n] for n in sorted(events)]
        jekyll.check_numbering([data for _post, data in ordered])
        return ordered, talks

    # Planning ------------------------------------------------------------------

    def plan(self, events: list[tuple[Post, EventData]], talk_posts: list[Post]) -> None:
        self.records = {r.source: r for r in ImportedPost.objects.all()}
        numbers = {data.number for _post, data in events}
        talks: list[tuple[Post, TalkData]] = []
        for post in talk_posts:
            try:
                data = jekyll.parse_talk(post, old_site=self.old_site)
            except JekyllError as error:
                self.report.skipped.append((post.name, str(error)))
                continue
            talks.append((post, data))
            if data.event_number is not None:
                numbers.add(data.event_number)
        self.numbers = numbers
        self.event_numbers = {data.number for _post, data in events}
        self.load_caches()

        # Event addresses, then talk addresses (existing, adopted or new).
        self.urls: dict[str, str] = {
            post.stem: self.event_url(data.number) for post, data in events
        }
        existing = Talk.objects.in_bulk(
            [r.talk_id for r in self.records.values() if r.talk_id is not None]
        )
        claimed = {r.talk_id for r in self.records.values() if r.talk_id is not None}
        by_event: dict[int, list[Talk]] = defaultdict(list)
        for talk in Talk.objects.filter(event__in=self.events.values()).with_speakers():
            by_event[talk.event_id].append(talk)
        taken = set(Talk.objects.values_list("slug", flat=True))
        self.talk_plans: list[_TalkPlan] = []
        for post, data in talks:
            record = self.records.get(post.name)
            talk = existing.get(record.talk_id) if record and record.talk_id else None
            if talk is None and data.event_number in self.events:
                talk = self._adoptable(data, by_event[self.events[data.event_number].pk], claimed)
            if talk is not None:
                claimed.add(talk.pk)
                slug = talk.slug
            else:
                slug = self._free_slug(data.title, taken)
                taken.add(slug)
            self.talk_plans.append(_TalkPlan(post=post, data=data, talk=talk, slug=slug))
            self.urls[post.stem] = reverse("talks:detail", kwargs={"slug": slug})
        # The old site's address of each post -> ours, for the links inside the archive.
        self.old_urls = {
            old_site.old_key(post.old_path): self.event_url(data.number) for post, data in events
        }
        self.old_urls |= {
            old_site.old_key(plan.post.old_path): self.urls[plan.post.stem]
            for plan in self.talk_plans
        }

        # Programme order and lengths, from each event's "## Programme"; which of its
        # entries are imported talks (the description loses those, and only those).
        items = {data.number: jekyll.programme(post.body) for post, data in events}
        self.programme_talks: dict[int, dict[int, str]] = defaultdict(dict)
        per_event: dict[int | None, list[_TalkPlan]] = defaultdict(list)
        for plan in self.talk_plans:
            per_event[plan.data.event_number].append(plan)
        for number, plans in per_event.items():
            if number is None:
                continue
            order = {}
            for plan in plans:
                index, item = self._programme_item(plan, items.get(number, []))
                order[plan.post.name] = index
                if item is not None:
                    self.programme_talks[number][index] = plan.data.abstract
                if item is not None and item.minutes is not None:
                    plan.format = Talk.Format.LONG if item.minutes >= 25 else Talk.Format.SHORT
            plans.sort(key=lambda p: (order[p.post.name], p.post.name))
            for position, plan in enumerate(plans, start=1):
                plan.position = position
        self.talk_plans.sort(key=lambda p: (p.data.event_number or 0, p.position or 0))
        self.event_posts = events
        self.numbers_with_talks = {n for n in per_event if n is not None}

        # One spelling per speaker: the one with accents ("Loïc" rather than "Loic", however
        # often each is written), then the most recent.
        spellings: dict[str, dict[str, tuple]] = defaultdict(dict)
        for post, data in talks:
            for name in data.speakers:
                seen = spellings[speaker_slug(name)]
                seen[name] = max(seen.get(name, ()), (post.date, post.name))
        self.speaker_names = {
            slug: max(seen, key=lambda name: (_accents(name), seen[name]))
            for slug, seen in spellings.items()
        }
        # Each speaker's links, each in its field, the most recent post's first.
        self.speaker_links: dict[str, dict[str, str]] = defaultdict(dict)
        self.archive_links: dict[str, set[str]] = defaultdict(set)  # every link, any date
        self.unowned_links: dict[str, str] = {}
        for post, data in sorted(talks, key=lambda t: (t[0].date, t[0].name)):
            if not data.author_url:
                continue
            owner = self._link_owner(data.author_url, data.speakers)
            if owner is None:
                self.unowned_links[post.name] = data.author_url
            else:
                self.speaker_links[owner][jekyll.link_field(data.author_url)] = data.author_url
                self.archive_links[owner].add(data.author_url)

    @staticmethod
    def _link_owner(url: str, names: list[str]) -> str | None:
        """The slug of the speaker an author_url is about: the only speaker, or the one
        whose whole name is in the address (twitter.com/julienmaupetit)."""
        slugs = [speaker_slug(name) for name in names]
        if len(slugs) == 1:
            return slugs[0]
        address = re.sub(r"[^a-z0-9]", "", url.lower().split("://")[-1])
        found = [s for s in slugs if s.replace("-", "") in address]
        return found[0] if len(found) == 1 else None

    def load_caches(self) -> None:
        """Rows the import reuses, read once (and again after a post failed)."""
        self.events = {e.number: e for e in Event.objects.filter(number__in=self.numbers)}
        self.venues_by_address: dict[str, Venue] = {}
        self.venues_by_name: dict[str, Venue] = {}
        for venue in Venue.objects.order_by("pk"):
            self._remember_venue(venue)
        self.speakers = {s.slug: s for s in Speaker.objects.all()}

    def _remember_venue(self, venue: Venue) -> None:
        address = venue_address_key(venue.address)
        if address:
            self.venues_by_address.setdefault(address, venue)
        self.venues_by_name.setdefault(venue_name_key(venue.name), venue)

    def old_page(self, path: str) -> str | None:
        """Our page for an address of the old site, when there is one."""
        key = old_site.old_key(path)
        found = self.old_urls.get(key) or old_site.fixed_page(path)
        event = old_site.OLD_EVENT.match(key)
        if found is None and event:  # an API Hour of the site not in this import
            found = self.event_url(int(event["n"]))
        return found

    def event_url(self, number: int) -> str | None:
        """Our page of API Hour n°number, when it exists or is being imported."""
        event = self.events.get(number)
        if event is None and number not in self.event_numbers:
            return None
        slug = event.slug if event else f"api-hour-{number}"
        return reverse("events:detail", kwargs={"slug": slug})

    @staticmethod
    def _free_slug(title: str, taken: set[str]) -> str:
        base = slugify(title)[:190] or "talk"
        if base in RESERVED_TALK_SLUGS:
            base = f"{base}-talk"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    @staticmethod
    def _adoptable(data: TalkData, candidates: list[Talk], claimed: set[int]) -> Talk | None:
        """A talk entered by hand before the import: same event, and same title or speakers."""
        title = slugify(data.title)
        speakers = {speaker_slug(n) for n in data.speakers}
        for talk in candidates:
            if talk.pk in claimed:
                continue
            if slugify(talk.title) == title or {s.slug for s in talk.speaker_list} == speakers:
                return talk
        return None

    @staticmethod
    def _programme_item(plan: _TalkPlan, items: list[jekyll.ProgrammeItem]):
        """(index, item) of the talk in its event's programme; (big, None) if not found."""
        title = slugify(plan.data.title)
        speakers = [speaker_slug(n) for n in plan.data.speakers]
        for test in (
            lambda item: plan.post.stem in item.stems,
            lambda item: title and title in slugify(item.heading),
            lambda item: all(s in slugify(item.heading) for s in speakers),
        ):
            for index, item in enumerate(items):
                if test(item):
                    return index, item
        return len(items) + 1000, None

    # Writing -------------------------------------------------------------------

    def run(self) -> None:
        for post, data in self.event_posts:
            self._each(post, lambda post=post, data=data: self.import_event(post, data))
        for plan in self.talk_plans:
            self._each(plan.post, lambda plan=plan: self.import_talk(plan))

    def _each(self, post: Post, work) -> None:
        report = self.report
        warnings_before = (
            len(report.warnings),
            len(report.dates),
            len(report.removed),
            report.redirected,
        )
        saved = (
            copy.deepcopy(self.report.counts),
            len(self.report.kept),
            set(self.created_speakers),
            set(self.updated_speakers),
            set(self.seen_speakers),
        )
        try:
            # One transaction per post: a post that fails leaves nothing half-written.
            with transaction.atomic():
                work()
        except (JekyllError, ValidationError, RSVPError) as error:
            message = "; ".join(getattr(error, "messages", None) or [str(error)])
            self._failed(post, message, warnings_before, saved)
        except Exception as error:  # a database error on one post must not stop the others
            message = _("erreur inattendue : %(e)s") % {"e": error}
            self._failed(post, message, warnings_before, saved)

    def _failed(self, post: Post, message: str, warnings_before: int, saved) -> None:
        """Forget what the rolled-back post did, in the report and in the caches."""
        warnings, dates, removed, redirected = warnings_before
        del self.report.warnings[warnings:]
        del self.report.dates[dates:]
        del self.report.removed[removed:]
        self.report.redirected = redirected
        counts, kept, created, updated, seen = saved
        self.report.counts = counts
        del self.report.kept[kept:]
        self.created_speakers, self.updated_speakers, self.seen_speakers = created, updated, seen
        self.report.skipped.append((post.name, message))
        self.load_caches()  # what the failed post created is gone

    def warn(self, post: Post, messages: list[str]) -> None:
        self.report.warnings += [(post.name, m) for m in messages]

    def _merge(self, obj, values: dict, record: ImportedPost | None, adopted: bool, current):
        """Set the fields the archive gives, except those edited in the admin since."""
        changed, kept = [], []
        last = record.fingerprints if record else {}
        for name, value in values.items():
            now = current(name)
            if fingerprint(now) == fingerprint(value):
                continue
            earlier_default = EARLIER_IMPORT_DEFAULTS.get(name, now)
            edited = (
                (name in last and fingerprint(now) != last[name])
                or (adopted and name not in last and now not in EMPTY)
                # A value this import did not give before: kept if it was set by hand.
                or (
                    not adopted and name not in last and now not in EMPTY and now != earlier_default
                )
            )
            if edited and not self.overwrite:
                kept.append(name)
                continue
            changed.append(name)
        return changed, kept

    def _record(self, post: Post, record, kind: str, values: dict, **target) -> None:
        prints = {name: fingerprint(value) for name, value in values.items()}
        self.report.redirected += 1  # its old address now leads to the page (views_old_site)
        if record is None:
            ImportedPost.objects.create(
                source=post.name,
                kind=kind,
                fingerprints=prints,
                imported_at=self.now,
                old_path=post.old_path,
                **target,
            )
            return
        stale = any(getattr(record, f"{k}_id") != v.pk for k, v in target.items())
        if stale or record.fingerprints != prints or record.old_path != post.old_path:
            for key, value in target.items():
                setattr(record, key, value)
            record.fingerprints = prints
            record.old_path = post.old_path
            record.imported_at = self.now
            record.save()

    def _kept(self, post: Post, model, names: list[str]) -> None:
        if names:
            labels = [str(model._meta.get_field(n).verbose_name) for n in names]
            self.report.kept.append((post.name, labels))

    # Events --------------------------------------------------------------------

    def _find_venue(self, post: Post, data: EventData) -> Venue | None:
        """The venue we already have: the same address first (a room or a spelling of the
        name does not make another place), then the same name."""
        venue = None
        if data.venue_address:
            venue = self.venues_by_address.get(venue_address_key(data.venue_address))
        if venue is None and data.venue_name:
            venue = self.venues_by_name.get(venue_name_key(data.venue_name))
        if venue is not None:
            self.report.counts["venue"]["reused"] += 1
            if not data.venue_name:
                self.warn(
                    post,
                    [
                        _("nom du lieu introuvable : lieu retrouvé par son adresse, « %(name)s »")
                        % {"name": venue.name}
                    ],
                )
        return venue

    def _create_venue(self, post: Post, data: EventData) -> Venue:
        name = data.venue_name or data.venue_address.splitlines()[0]
        if not data.venue_name:
            self.warn(post, [_("nom du lieu introuvable : son adresse sert de nom")])
        venue = Venue(name=name[:120], address=data.venue_address)
        venue.full_clean(exclude=["address"])
        venue.save()
        self._remember_venue(venue)
        self.report.counts["venue"]["created"] += 1
        return venue

    def _description(self, post: Post, data: EventData, venue: Venue | None) -> str:
        description = jekyll_prose.event_description(
            post.body,
            programme_talks=self.programme_talks.get(data.number, {})
            if data.number in self.numbers_with_talks
            else {},
            venue_name=data.venue_name or (venue.name if venue else ""),
            venue_address=data.venue_address,
            room=data.room,
            resolve=self.urls.get,
            old_page=self.old_page,
            old_site=self.old_site,
        )
        self.warn(post, description.warnings)
        self._removed(post, description.removed)
        return description.text

    def _removed(self, post: Post, labels: list[str]) -> None:
        if labels:
            counts = Counter(labels)
            parts = [f"{label} (×{n})" if n > 1 else label for label, n in counts.items()]
            self.report.removed.append((post.name, " ; ".join(parts)))

    def import_event(self, post: Post, data: EventData) -> None:
        self.warn(post, data.warnings)
        self.report.dates += [(post.name, note) for note in data.date_notes]
        venue = self._find_venue(post, data)
        description = self._description(post, data, venue)
        has_venue = bool(data.venue_name or data.venue_address)
        values = {
            "title": data.title,
            "starts_at": data.starts_at,
            "ends_at": data.ends_at,
            "venue": venue.pk if venue else (NEW_VENUE if has_venue else None),
            "room": data.room,
            "photos_url": data.photos_url,
            "description": description,
            "status": Event.Status.PUBLISHED if data.ends_at < self.now else Event.Status.DRAFT,
        }
        if data.unlimited:
            values["capacity"] = None  # "sans limite de places": no limit, not 50 seats
        elif data.capacity is not None:
            values["capacity"] = data.capacity
        if values["status"] == Event.Status.DRAFT:
            self.warn(post, [_("soirée à venir : importée en brouillon, à publier dans l'admin")])
        record = self.records.get(post.name)
        event = self.events.get(data.number)

        def current(name):
            return event.venue_id if name == "venue" else getattr(event, name)

        if event is None:
            if values["venue"] == NEW_VENUE:
                values["venue"] = self._create_venue(post, data).pk
            event = Event(number=data.number, slug=f"api-hour-{data.number}")
            self._set_event(event, values, list(values))
            event.full_clean(exclude=["venue"], validate_unique=False, validate_constraints=False)
            event.save()
            self.events[data.number] = event
            self.report.counts["event"]["created"] += 1
        else:
            adopted = record is None or record.event_id != event.pk
            changed, kept = self._merge(event, values, record, adopted, current)
            self._kept(post, Event, kept)
            if "venue" in changed and values["venue"] == NEW_VENUE:
                # Created only when it is used: a venue kept from the admin stays alone.
                values["venue"] = self._create_venue(post, data).pk
            fields = [n for n in changed if n != "capacity"]
            if fields:
                self._set_event(event, values, fields)
                event.full_clean(
                    exclude=["venue"], validate_unique=False, validate_constraints=False
                )
                event.save(update_fields=[*[_field(n) for n in fields], "updated_at"])
            if "capacity" in changed:
                # Through the seat service: more seats confirm the people waiting, and
                # fewer than the confirmed seats is refused.
                event_set_capacity(event=event, capacity=values["capacity"])
            self.report.counts["event"]["updated" if changed else "unchanged"] += 1
        self._record(post, record, ImportedPost.Kind.EVENT, values, event=event)

    @staticmethod
    def _set_event(event: Event, values: dict, names: list[str]) -> None:
        for name in names:
            setattr(event, _field(name), values[name])

    # Talks ---------------------------------------------------------------------

    def _speaker(self, post: Post, name: str) -> Speaker:
        slug = speaker_slug(name)
        speaker = self.speakers.get(slug)
        if speaker is None:
            speaker = Speaker(name=self.speaker_names.get(slug, name)[:120], slug=slug)
            speaker.full_clean(exclude=["user"], validate_unique=False)
            speaker.save()
            self.speakers[slug] = speaker
            self.report.counts["speaker"]["created"] += 1
            self.created_speakers.add(slug)
        self.seen_speakers.add(slug)
        return speaker

    def import_talk(self, plan: _TalkPlan) -> None:
        post, data = plan.post, plan.data
        self.warn(post, data.warnings)
        converted = jekyll_prose.convert_prose(
            data.abstract, resolve=self.urls.get, old_page=self.old_page, old_site=self.old_site
        )
        abstract = converted.text
        self.warn(post, converted.warnings)
        self._removed(post, converted.removed)
        if not abstract:
            self.warn(post, [_("résumé vide")])
        elif len(abstract) > 5000:
            self.warn(post, [_("résumé de plus de 5000 caractères : à raccourcir dans l'admin")])
        event = self.events.get(data.event_number) if data.event_number else None
        if data.event_number and event is None:
            self.warn(
                post,
                [
                    _("API Hour n°%(n)d introuvable : talk sans événement")
                    % {"n": data.event_number}
                ],
            )
        speakers = [self._speaker(post, name) for name in data.speakers]
        values = {
            "title": data.title[:200],
            "abstract": abstract,
            "event": event.pk if event else None,
            "position": plan.position,
            "format": plan.format,
            "video_url": data.video_url,
            "slides_url": data.slides_url,
            # The archive never says a talk's level: none, until someone sets it (the
            # model's default, "Débutant", would be made up).
            "level": "",
            "status": Talk.Status.CONFIRMED,
            "speakers": [s.slug for s in speakers],
        }
        record = self.records.get(post.name)
        talk = plan.talk
        if talk is None:
            talk = Talk(slug=plan.slug, created_at=event.starts_at if event else self.now)
            self._set_talk(talk, values, [n for n in values if n != "speakers"])
            self._clean(talk)
            talk.save()
            TalkSpeaker.objects.bulk_create(
                TalkSpeaker(talk=talk, speaker=s, position=i) for i, s in enumerate(speakers)
            )
            TalkStatusChange.objects.create(
                talk=talk, from_status="", to_status=talk.status, note=STATUS_NOTE
            )
            self.report.counts["talk"]["created"] += 1
        else:
            adopted = record is None or record.talk_id != talk.pk
            links = list(talk.speaker_links.select_related("speaker"))

            def current(name):
                if name == "speakers":
                    return [link.speaker.slug for link in links]
                return talk.event_id if name == "event" else getattr(talk, name)

            changed, kept = self._merge(talk, values, record, adopted, current)
            self._kept(post, Talk, kept)
            previous_status = talk.status
            fields = [n for n in changed if n != "speakers"]
            if fields:
                self._set_talk(talk, values, fields)
                self._clean(talk)
                talk.save(update_fields=[*[_field(n) for n in fields], "updated_at"])
            if "speakers" in changed:
                TalkSpeaker.objects.filter(talk=talk).delete()
                TalkSpeaker.objects.bulk_create(
                    TalkSpeaker(talk=talk, speaker=s, position=i) for i, s in enumerate(speakers)
                )
            if "status" in changed:
                TalkStatusChange.objects.create(
                    talk=talk, from_status=previous_status, to_status=talk.status, note=STATUS_NOTE
                )
            self.report.counts["talk"]["updated" if changed else "unchanged"] += 1
        self._record(post, record, ImportedPost.Kind.TALK, values, talk=talk)
        self._speaker_details(post, data, speakers)

    @staticmethod
    def _set_talk(talk: Talk, values: dict, names: list[str]) -> None:
        for name in names:
            setattr(talk, _field(name), values[name])

    @staticmethod
    def _clean(talk: Talk) -> None:
        talk.full_clean(
            # level: "" (not known) for an archive talk; proposals must choose one.
            exclude=["abstract", "event", "mentor", "submitted_by", "topic", "slug", "level"],
            validate_unique=False,
            validate_constraints=False,
        )

    def _speaker_details(self, post: Post, data: TalkData, speakers: list[Speaker]) -> None:
        """Fill a speaker's empty links (each in its field, the newest post's) and photo
        from the archive; never replace them."""
        for speaker in speakers:
            self._unfile_misplaced_links(speaker)
            for name, url in self.speaker_links.get(speaker.slug, {}).items():
                self._fill_link(speaker, name, url)
        if post.name in self.unowned_links:
            self.warn(
                post,
                [
                    _(
                        "lien « %(url)s » : talk à plusieurs intervenant·es et l'adresse ne "
                        "dit pas de qui il est : non attribué"
                    )
                    % {"url": self.unowned_links[post.name]}
                ],
            )
        if data.author_image and self.images_dir is not None:
            owner = self._photo_owner(post, data.author_image, speakers)
            if owner is not None and not owner.photo:
                self._fill_photo(post, owner, data.author_image)

    def _photo_owner(self, post: Post, image: str, speakers: list[Speaker]) -> Speaker | None:
        """Whose photo an author_image is: the only speaker, or the one named by the file
        ("christophe_prugnaud.jpg", "prugnaud.png"); None, said in the report, otherwise."""
        if len(speakers) == 1:
            return speakers[0]
        words = set(_name_words(Path(image).stem))
        whole = [s for s in speakers if set(s.slug.split("-")) <= words]
        partly = [s for s in speakers if set(s.slug.split("-")) & words]
        for found in (whole, partly):
            if len(found) == 1:
                return found[0]
        if partly:
            message = _(
                "photo « %(image)s » commune à plusieurs intervenant·es (%(names)s) : non attribuée"
            )
            names = [s.name for s in partly]
        else:
            message = _(
                "photo « %(image)s » : son nom ne désigne aucun·e des intervenant·es "
                "(%(names)s) : non attribuée"
            )
            names = [s.name for s in speakers]
        self.warn(post, [message % {"image": image, "names": ", ".join(names)}])
        return None

    def _unfile_misplaced_links(self, speaker: Speaker) -> None:
        """A link of the archive that an earlier import put in the wrong field (a Twitter
        link as the website) leaves it, to be filled in its own field just after."""
        archive = self.archive_links.get(speaker.slug, set())
        wrong = [
            name
            for name in LINK_FIELDS
            if getattr(speaker, name) in archive
            and jekyll.link_field(getattr(speaker, name)) != name
        ]
        if wrong:
            for name in wrong:
                setattr(speaker, name, "")
            speaker.save(update_fields=[*wrong, "updated_at"])
            self.updated_speakers.add(speaker.slug)

    def _fill_link(self, speaker: Speaker, name: str, url: str) -> None:
        links = {getattr(speaker, f) for f in LINK_FIELDS}
        if getattr(speaker, name) or url in links:
            return
        setattr(speaker, name, url)
        speaker.save(update_fields=[name, "updated_at"])
        self.updated_speakers.add(speaker.slug)

    def _fill_photo(self, post: Post, speaker: Speaker, image: str) -> None:
        path = (self.images_dir / image).resolve()
        if not path.is_file() or not path.is_relative_to(self.images_dir):
            path = self.images_dir / Path(image).name
        if not path.is_file():
            self.warn(
                post,
                [_("photo introuvable dans le dossier d'images : %(image)s") % {"image": image}],
            )
            return
        try:
            with path.open("rb") as handle:
                photo = speaker_photo_process(File(handle, name=path.name))
        except ValidationError as error:
            self.warn(
                post,
                [
                    _("photo « %(image)s » refusée : %(why)s")
                    % {"image": image, "why": error.messages[0]}
                ],
            )
            return
        if not self.dry_run:  # a dry run writes no file
            image_fields_save(
                instance=speaker, images={"photo": photo}, update_fields=["updated_at"]
            )
        self.updated_speakers.add(speaker.slug)


LINK_FIELDS = [
    "website_url", "mastodon_url", "bluesky_url", "github_url", "gitlab_url", "linkedin_url",
    "twitter_url",
]  # fmt: skip


def _field(name: str) -> str:
    """The model attribute behind a value name ("venue" is written as venue_id)."""
    return {"venue": "venue_id", "event": "event_id"}.get(name, name)


def jekyll_import(
    *,
    posts_dir: Path,
    images_dir: Path | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
    flickr_user: str = jekyll.FLICKR_USER,
    old_site: str | None = None,
) -> ImportReport:
    """Import (or, with dry_run, pretend to import) every post of a Jekyll `_posts` folder.

    old_site: the old site's address (settings.OLD_SITE_URL by default), for its links
    written as a path."""
    importer = _Importer(
        images_dir=images_dir,
        overwrite=overwrite,
        dry_run=dry_run,
        flickr_user=flickr_user,
        old_site=(old_site or settings.OLD_SITE_URL).rstrip("/"),
    )
    # A real run commits post by post (an interrupted import resumes where it stopped);
    # the dry run is the same run inside one transaction, rolled back at the end.
    with transaction.atomic() if dry_run else nullcontext():
        events, talks = importer.read(posts_dir)
        importer.plan(events, talks)
        importer.run()
        if dry_run:
            transaction.set_rollback(True)
    report = importer.report
    updated = importer.updated_speakers - importer.created_speakers
    report.counts["speaker"]["updated"] = len(updated)
    report.counts["speaker"]["unchanged"] = len(
        importer.seen_speakers - importer.created_speakers - updated
    )
    report.skipped.sort()
    report.dates.sort(key=lambda w: w[0])
    report.warnings.sort(key=lambda w: w[0])
    report.removed.sort(key=lambda w: w[0])
    report.kept.sort()
    return report
