"""Loading the fixture into the database: insert what is new, update what changed, deactivate
what left the file. Learner progress is never touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import fixture
from .editing import CONTENT_FIELDS, content_of, material_change, next_revision, save_revisions
from .models import Question, Section, Subsection

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "genai_questions.yaml"
QUESTION_FIELDS = (
    *CONTENT_FIELDS,
    "key_point_cues",  # the coach's cues: saved, but not a change learners are told about
    "follow_up_key_point_cues",
    "rank",
    "origin",
    "position",
    "subsection",
    "is_active",
)


@dataclass
class SeedReport:
    """What a seeding run changed (or, for a dry run, would change)."""

    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.deactivated} deactivated, {self.unchanged} unchanged"
        )


def _upsert_groups(bank: list[fixture.SectionSpec], report: SeedReport) -> dict[str, Subsection]:
    sections = {s.key: s for s in Section.objects.all()}
    subsections = {s.key: s for s in Subsection.objects.all()}
    for s_pos, s_spec in enumerate(bank, start=1):
        section = sections.get(s_spec.key) or Section(key=s_spec.key)
        if section.pk is None or (section.title, section.position) != (s_spec.title, s_pos):
            report.lines.append(f"{'+' if section.pk is None else '~'} section {s_spec.key}")
            section.title, section.position = s_spec.title, s_pos
            section.save()
        sections[s_spec.key] = section
        for ss_pos, ss_spec in enumerate(s_spec.subsections, start=1):
            sub = subsections.get(ss_spec.key) or Subsection(key=ss_spec.key)
            wanted = (section.pk, ss_spec.title, ss_pos)
            if sub.pk is None or (sub.section_id, sub.title, sub.position) != wanted:
                report.lines.append(f"{'+' if sub.pk is None else '~'} subsection {ss_spec.key}")
                sub.section, sub.title, sub.position = section, ss_spec.title, ss_pos
                sub.save()
            subsections[ss_spec.key] = sub
    return subsections


def _differs(question: Question, name: str, value) -> bool:
    if name == "subsection":
        return question.subsection_id != value.pk
    return getattr(question, name) != value


def _upsert_questions(
    bank: list[fixture.SectionSpec], subsections: dict[str, Subsection], report: SeedReport
) -> None:
    now = timezone.now()
    existing = {q.key: q for q in Question.objects.all()}
    to_create, to_update, revisions = [], [], []
    for s_spec in bank:
        for ss_spec in s_spec.subsections:
            for position, spec in enumerate(ss_spec.questions, start=1):
                wanted = {
                    "prompt": spec.prompt,
                    "answer": spec.answer,
                    "key_points": spec.key_points,
                    "follow_up": spec.follow_up,
                    "follow_up_answer": spec.follow_up_answer,
                    "follow_up_key_points": spec.follow_up_key_points,
                    "key_point_cues": spec.key_point_cues,
                    "follow_up_key_point_cues": spec.follow_up_key_point_cues,
                    "rank": spec.rank,
                    "origin": spec.origin,
                    "position": position,
                    "subsection": subsections[ss_spec.key],
                    "is_active": True,
                }
                question = existing.pop(spec.key, None)
                if question is None:
                    to_create.append(Question(key=spec.key, **wanted))
                    report.lines.append(f"+ question {spec.key}")
                    continue
                changed = [
                    name for name, value in wanted.items() if _differs(question, name, value)
                ]
                if not changed:
                    report.unchanged += 1
                    continue
                if material_change(content_of(question), wanted):
                    revisions.append(next_revision(question, content_of(question)))
                for name in changed:
                    setattr(question, name, wanted[name])
                question.updated_at = now
                to_update.append(question)
                report.lines.append(f"~ question {spec.key} ({', '.join(changed)})")
    for question in existing.values():
        if question.is_active:
            question.is_active = False
            question.updated_at = now
            to_update.append(question)
            report.deactivated += 1
            report.lines.append(f"- question {question.key} (deactivated: no longer in the file)")
    Question.objects.bulk_create(to_create)
    save_revisions(revisions)
    Question.objects.bulk_update(to_update, [*QUESTION_FIELDS, "version", "updated_at"])
    report.created = len(to_create)
    report.updated = len(to_update) - report.deactivated


def seed_questions(*, text: str, dry_run: bool = False) -> SeedReport:
    """Apply fixture text to the database in one transaction (rolled back for a dry run).

    Raises fixture.FixtureError, leaving the database untouched, if the text is malformed.
    """
    bank = fixture.parse(text)
    report = SeedReport()
    with transaction.atomic():
        subsections = _upsert_groups(bank, report)
        _upsert_questions(bank, subsections, report)
        if dry_run:
            transaction.set_rollback(True)
    return report
