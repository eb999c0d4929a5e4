"""Writing the question bank back out in the fixture format."""

from __future__ import annotations

from itertools import groupby

from django.db.models import QuerySet

from . import fixture
from .models import Question


def bank_specs(questions: QuerySet[Question] | None = None) -> list[fixture.SectionSpec]:
    """Return the bank (active questions, or the given ones) as fixture specs, in bank order."""
    if questions is None:
        questions = Question.objects.active()
    ordered = questions.select_related("subsection__section").order_by(
        "subsection__section__position", "subsection__position", "position", "pk"
    )
    sections = []
    for section, in_section in groupby(ordered, key=lambda q: q.subsection.section):
        subsections = [
            fixture.SubsectionSpec(
                key=subsection.key,
                title=subsection.title,
                questions=[
                    fixture.QuestionSpec(
                        key=q.key,
                        prompt=q.prompt,
                        rank=q.rank,
                        origin=q.origin,
                        answer=q.answer,
                        key_points=list(q.key_points),
                        follow_up=q.follow_up,
                        follow_up_answer=q.follow_up_answer,
                        follow_up_key_points=list(q.follow_up_key_points),
                        key_point_cues=list(q.key_point_cues),
                        follow_up_key_point_cues=list(q.follow_up_key_point_cues),
                    )
                    for q in in_subsection
                ],
            )
            for subsection, in_subsection in groupby(in_section, key=lambda q: q.subsection)
        ]
        sections.append(
            fixture.SectionSpec(key=section.key, title=section.title, subsections=subsections)
        )
    return sections


def export_text(questions: QuerySet[Question] | None = None) -> str:
    """Return fixture text for the bank; seeding it back changes nothing."""
    return fixture.dump(bank_specs(questions))
