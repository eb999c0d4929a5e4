"""Progress figures: plain functions over database aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Card, Question, Section


@dataclass
class SectionProgress:
    section: Section
    total: int = 0
    learning: int = 0
    review: int = 0
    suspended: int = 0

    @property
    def new(self) -> int:
        return self.total - self.learning - self.review - self.suspended


def section_progress(user) -> list[SectionProgress]:
    """Return new / learning / review / suspended counts per section, in bank order (3 queries)."""
    progress = {
        s.pk: SectionProgress(section=s)
        for s in Section.objects.filter(subsections__questions__is_active=True).distinct()
    }
    totals = (
        Question.objects.active()
        .values("subsection__section")
        .annotate(total=Count("id"))
        .order_by()
    )
    for row in totals:
        progress[row["subsection__section"]].total = row["total"]
    cards = (
        Card.objects.for_user(user)
        .values("question__subsection__section")
        .annotate(
            learning=Count(
                "id",
                filter=Q(suspended=False, state__in=[Card.State.LEARNING, Card.State.RELEARNING]),
            ),
            review=Count("id", filter=Q(suspended=False, state=Card.State.REVIEW)),
            suspended=Count("id", filter=Q(suspended=True)),
        )
        .order_by()
    )
    for row in cards:
        entry = progress[row["question__subsection__section"]]
        entry.learning, entry.review, entry.suspended = (
            row["learning"],
            row["review"],
            row["suspended"],
        )
    return sorted(progress.values(), key=lambda p: p.section.position)
