"""A learner's data, exported: CSV files in a zip and JSON, streamed; the bank as an Anki deck."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import genanki
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone
from django.utils.html import escape

from . import knowledge, scheduling
from .models import (
    Card,
    InterviewAnswer,
    LLMFeedback,
    Note,
    Question,
    Reminder,
    ReminderPreference,
    Report,
    Review,
    StudySettings,
    Tagging,
)
from .rendering import inline_to_html, markdown_to_html
from .reviews import study_settings_for

CHUNK = 64 * 1024

CARD_COLUMNS = [
    ("question_key", "question__key"),
    ("question", "question__prompt"),
    ("section", "question__subsection__section__title"),
    ("subsection", "question__subsection__title"),
    ("state", "state"),
    ("due", "due"),
    ("last_review", "last_review"),
    ("stability", "stability"),
    ("difficulty", "difficulty"),
    ("reps", "reps"),
    ("lapses", "lapses"),
    ("suspended", "suspended"),
    ("proven_at", "proven_at"),
]
REVIEW_COLUMNS = [
    ("reviewed_at", "reviewed_at"),
    ("question_key", "question__key"),
    ("question", "question__prompt"),
    ("known", "known"),
    ("confidence", "confidence"),
    ("rating", "rating"),
    ("suggested_rating", "suggested_rating"),
    ("source", "source"),
    ("duration_ms", "duration_ms"),
    ("state_before", "state_before"),
    ("state_after", "state_after"),
    ("due_after", "due_after"),
]
SETTINGS_COLUMNS = [
    (name, name)
    for name in ("new_per_day", "review_cap", "desired_retention", "time_zone", "day_starts_at",
                 "interview_date", "type_before_reveal", "llm_coach")
]  # fmt: skip
PRACTICE_COLUMNS = [
    ("interview", "interview_id"),
    ("interview_started_at", "interview__started_at"),
    ("focus", "interview__focus_label"),
    ("position", "position"),
    ("question_key", "question__key"),
    ("question", "question__prompt"),
    ("typed_answer", "typed_answer"),
    ("revealed_at", "revealed_at"),
    ("points_total", "points_total"),
    ("points_covered", "points_covered"),
    ("would_pass", "would_pass"),
    ("coach_covered", "coach_covered"),
    ("coach_rating", "coach_rating"),
    ("follow_up_answer", "follow_up_answer"),
    ("follow_up_passed", "follow_up_passed"),
    ("follow_up_coach_covered", "follow_up_coach_covered"),
    ("follow_up_coach_rating", "follow_up_coach_rating"),
]
REPORT_COLUMNS = [
    ("created_at", "created_at"),
    ("question_key", "question__key"),
    ("question", "question__prompt"),
    ("version", "version"),
    ("kind", "kind"),
    ("comment", "comment"),
    ("status", "status"),
]
EMAIL_COLUMNS = [(name, name) for name in ("email", "verified", "primary")]
REMINDER_PREFERENCE_COLUMNS = [(name, name) for name in ("enabled", "hour", "undeliverable")]
REMINDER_COLUMNS = [
    (name, name)
    for name in ("study_day", "status", "email", "attempts", "sent_at", "unsubscribed_at")
]
# The learner's own cards (#16), as they wrote them; section and subsection are blank for a card
# in "My questions". Key points are one per line, as the form takes them.
OWN_CARD_COLUMNS = [
    ("key", "key"),
    ("prompt", "prompt"),
    ("answer", "answer"),
    ("key_points", "key_points"),
    ("follow_up", "follow_up"),
    ("section", "subsection__section__title"),
    ("subsection", "subsection__title"),
    ("priority", "priority"),
]
TAG_COLUMNS = [("tag", "tag__name"), ("question_key", "question__key"),
               ("question", "question__prompt")]  # fmt: skip
# The LLM coach's feedback: `feedback` is the model's validated reply, as JSON text.
LLM_FEEDBACK_COLUMNS = [
    ("interview_started_at", "answer__interview__started_at"),
    ("position", "answer__position"),
    ("question_key", "answer__question__key"),
    ("part", "part"),
    ("status", "status"),
    ("model", "model"),
    ("feedback", "payload"),
    ("note", "error"),
    ("created_at", "created_at"),
    ("finished_at", "finished_at"),
]
NOTE_COLUMNS = [
    ("question_key", "question__key"),
    ("question", "question__prompt"),
    ("note", "text"),
    ("updated_at", "updated_at"),
]
LINKED_ACCOUNT_COLUMNS = [(name, name) for name in ("provider", "uid", "date_joined", "last_login")]
STATE_NAMES = dict(Card.State.choices)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(name: str, value, *, flat: bool = False):
    if flat and isinstance(value, list):  # a CSV cell: key point numbers (0-based), e.g. "0;2"
        return ";".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if name in {"state", "state_before", "state_after"}:
        return STATE_NAMES[value].lower()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text, as spreadsheets do for a leading apostrophe
    return value


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as the learner's wall-clock time, e.g. "2026-11-29 07:00" (ISO columns stay UTC)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _tables(user) -> list[tuple[str, list[str], Iterable[tuple]]]:
    """Each table's name, header and rows; computed columns follow the stored ones."""
    settings = study_settings_for(user)
    zone, now = ZoneInfo(settings.time_zone), timezone.now()

    # iterator() streams rows from a server-side cursor instead of loading a long history.
    def rows(queryset, columns):
        return queryset.values_list(*[field for _, field in columns]).iterator(chunk_size=2000)

    def card_rows():
        for row in rows(Card.objects.filter(user=user).order_by("question__rank"), CARD_COLUMNS):
            card = dict(zip((name for name, _ in CARD_COLUMNS), row, strict=True))
            memory = scheduling.Memory(state=card["state"], stability=card["stability"],
                                       last_review=card["last_review"])  # fmt: skip
            known = knowledge.is_known(
                state=card["state"], proven_at=card["proven_at"],
                recall=scheduling.retrievability(memory, now),
                desired_retention=settings.desired_retention,
            )  # fmt: skip
            yield (*row, known, _local(card["due"], zone), _local(card["last_review"], zone))

    def own_card_rows():
        own = Question.visible.to(user).filter(owner=user).order_by("pk")
        for row in rows(own, OWN_CARD_COLUMNS):
            yield (*row[:3], "\n".join(row[3]), *row[4:])

    def llm_feedback_rows():
        feedback = LLMFeedback.objects.filter(answer__interview__user=user).order_by("pk")
        for row in rows(feedback, LLM_FEEDBACK_COLUMNS):
            payload = row[6]
            yield (*row[:6], "" if payload is None else json.dumps(payload, ensure_ascii=False),
                   *row[7:])  # fmt: skip

    def review_rows():
        reviews = Review.objects.filter(user=user).order_by("reviewed_at", "pk")
        for row in rows(reviews, REVIEW_COLUMNS):
            yield (*row, _local(row[0], zone))

    return [
        ("cards", [h for h, _ in CARD_COLUMNS] + ["known", "due_local", "last_review_local"],
         card_rows()),
        ("reviews", [h for h, _ in REVIEW_COLUMNS] + ["reviewed_at_local"], review_rows()),
        ("settings", [h for h, _ in SETTINGS_COLUMNS],
         rows(StudySettings.objects.filter(user=user), SETTINGS_COLUMNS)),
        ("notes", [h for h, _ in NOTE_COLUMNS],
         rows(Note.objects.filter(user=user).order_by("question__rank"), NOTE_COLUMNS)),
        ("email_addresses", [h for h, _ in EMAIL_COLUMNS],
         rows(EmailAddress.objects.filter(user=user).order_by("pk"), EMAIL_COLUMNS)),
        ("reminder_settings", [h for h, _ in REMINDER_PREFERENCE_COLUMNS],
         rows(ReminderPreference.objects.filter(user=user), REMINDER_PREFERENCE_COLUMNS)),
        ("reminders", [h for h, _ in REMINDER_COLUMNS],
         rows(Reminder.objects.filter(user=user).order_by("study_day"), REMINDER_COLUMNS)),
        ("practice_answers", [h for h, _ in PRACTICE_COLUMNS],
         rows(InterviewAnswer.objects.filter(interview__user=user)
              .order_by("interview__started_at", "interview_id", "position"), PRACTICE_COLUMNS)),
        ("reports", [h for h, _ in REPORT_COLUMNS],
         rows(Report.objects.filter(user=user).order_by("created_at", "pk"), REPORT_COLUMNS)),
        ("own_cards", [h for h, _ in OWN_CARD_COLUMNS], own_card_rows()),
        ("tags", [h for h, _ in TAG_COLUMNS],
         rows(Tagging.objects.filter(tag__user=user).order_by("tag__name", "question_id"),
              TAG_COLUMNS)),
        ("llm_feedback", [h for h, _ in LLM_FEEDBACK_COLUMNS], llm_feedback_rows()),
        ("linked_accounts", [h for h, _ in LINKED_ACCOUNT_COLUMNS],
         rows(SocialAccount.objects.filter(user=user).order_by("pk"), LINKED_ACCOUNT_COLUMNS)),
    ]  # fmt: skip


class _Pipe:
    """A write-only file that hands what was written to a generator."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self._buffer)

    def take(self) -> bytes:
        data, self._buffer = bytes(self._buffer), bytearray()
        return data


def progress_zip(user) -> Iterator[bytes]:
    """Yield a zip with one CSV per table (UTF-8 with BOM, ISO dates)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, headers, rows in _tables(user):
            with archive.open(f"{name}.csv", "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(headers)
                for row in rows:
                    writer.writerow(
                        [_cell(h, v, flat=True) for h, v in zip(headers, row, strict=True)]
                    )
                    if len(pipe) > CHUNK:
                        yield pipe.take()
                text.flush()
                text.detach()
            yield pipe.take()
    yield pipe.take()


def progress_json(user) -> Iterator[str]:
    """Yield one JSON document with the learner's cards, reviews, settings, notes and sign-in
    data."""
    yield "{"
    for index, (name, headers, rows) in enumerate(_tables(user)):
        yield f'{", " if index else ""}"{name}": ['
        for i, row in enumerate(rows):
            record = {h: _cell(h, v) for h, v in zip(headers, row, strict=True)}
            yield ("," if i else "") + json.dumps(record, ensure_ascii=False)
        yield "]"
    yield "}\n"


def _stable_id(name: str) -> int:
    # Anki identifies models and decks by number; derive them from names so re-imports update.
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) + (1 << 30)


ANKI_MODEL = genanki.Model(
    _stable_id("GenAI Interview Prep question"),
    "GenAI Interview Prep question",
    fields=[
        {"name": n}
        for n in (
            "Key",
            "Question",
            "Answer",
            "Key points",
            "Follow-up",
            "Rank",
            "Follow-up answer",
        )
    ],
    templates=[
        {
            "name": "Recall",
            "qfmt": '<div class="rank">Rank {{Rank}}</div><h2>{{Question}}</h2>',
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"
            "<h3>Key points</h3>{{Key points}}<p><b>Likely follow-up:</b> {{Follow-up}}</p>"
            "{{#Follow-up answer}}<h3>Follow-up answer</h3>"
            "{{Follow-up answer}}{{/Follow-up answer}}",
        }
    ],
    css=".card { font-family: sans-serif; text-align: left; } .rank { color: #777; }",
)


class _Note(genanki.Note):
    @property
    def guid(self):
        return genanki.guid_for(self.fields[0])  # the question's key: stable across exports


def anki_package(path: Path) -> None:
    """Write the active question bank as an .apkg: one deck per subsection, tags by section."""
    decks: dict[str, genanki.Deck] = {}
    questions = Question.objects.active().select_related("subsection__section").order_by("rank")
    for q in questions:
        section, subsection = q.subsection.section, q.subsection
        name = f"GenAI Interview Prep::{section.title}::{subsection.title}"
        deck = decks.setdefault(name, genanki.Deck(_stable_id(name), name))
        # Formulas stay LaTeX, in the delimiters Anki's MathJax renders.
        points = "".join(f"<li>{inline_to_html(p, 'anki')}</li>" for p in q.key_points)
        follow_up_points = "".join(
            f"<li>{inline_to_html(p, 'anki')}</li>" for p in q.follow_up_key_points
        )
        follow_up_answer = markdown_to_html(q.follow_up_answer, "anki")
        if follow_up_points:
            follow_up_answer += f"<ul>{follow_up_points}</ul>"
        deck.add_note(
            _Note(
                model=ANKI_MODEL,
                fields=[
                    q.key,
                    escape(q.prompt),
                    markdown_to_html(q.answer, "anki"),
                    f"<ul>{points}</ul>",
                    inline_to_html(q.follow_up, "anki"),
                    str(q.rank),
                    follow_up_answer,
                ],  # fmt: skip
                tags=[section.key, subsection.key],
            )
        )
    genanki.Package(list(decks.values())).write_to_file(str(path))
