"""The optional LLM coach (engine 2): an OpenAI-compatible chat-completions model, configured by
the operator, reads a typed answer in the background and adds what the built-in coach cannot:
wrong statements with corrections, a tighter 60-second answer, its own verdict per key point.

`schema` defines and checks the reply, `client` builds the prompt and talks HTTP, `jobs` holds the
budget, the stored feedback and the background task.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def is_configured() -> bool:
    """Whether the operator set a model to send answers to (otherwise the coach is not offered)."""
    return bool(settings.COACH_LLM_BASE_URL and settings.COACH_LLM_MODEL)


def host() -> str:
    """The host learners' answers are sent to, as named where they opt in."""
    return urlsplit(settings.COACH_LLM_BASE_URL).hostname or settings.COACH_LLM_BASE_URL


def engine_label(model: str) -> str:
    return f"LLM coach ({model})"
