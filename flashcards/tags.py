"""A learner's tags on cards (#16): naming, adding, removing and reading them."""

from __future__ import annotations

import re

from django.db import transaction

from .models import Question, Tag, Tagging

NAME_LIMIT = 40  # Tag.name's length
# Lower-case letters, digits and single hyphens between them (a slug), so a tag name reads the
# same everywhere and travels in a URL (?tag=name, scope=tag:name) as it is.
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_RULE = (
    f"A tag is up to {NAME_LIMIT} characters: letters, digits and hyphens (spaces become hyphens)."
)


def normalise(raw: str) -> str:
    """Return the tag name for what the learner typed ("  System Design " → "system-design");
    raise ValueError saying the rule if it cannot be one."""
    name = "-".join(raw.strip().lower().split())
    if not name or len(name) > NAME_LIMIT or not NAME.match(name):
        raise ValueError(NAME_RULE)
    return name


def tags_on(user, question: Question) -> list[Tag]:
    """The learner's tags on one card, by name."""
    return list(Tag.objects.filter(user=user, taggings__question=question).order_by("name"))


def tag_names(user) -> list[str]:
    """Every tag the learner has, by name."""
    return list(Tag.objects.filter(user=user).order_by("name").values_list("name", flat=True))


def tag_add(*, user, question: Question, name: str) -> Tag:
    """Put the tag `name` (already normalised) on the learner's card; adding it twice is one."""
    with transaction.atomic():
        tag, _ = Tag.objects.get_or_create(user=user, name=name)
        Tagging.objects.get_or_create(tag=tag, question=question)
    return tag


def tag_remove(*, user, question: Question, name: str) -> bool:
    """Take the tag off the card (a tag left on no card is deleted); False if it was not on."""
    with transaction.atomic():
        removed, _ = Tagging.objects.filter(
            tag__user=user, tag__name=name, question=question
        ).delete()
        Tag.objects.filter(user=user, name=name, taggings__isnull=True).delete()
    return bool(removed)
