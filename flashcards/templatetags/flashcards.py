from django import template
from django.utils.safestring import mark_safe

from flashcards.rendering import inline_to_html, markdown_to_html
from flashcards.scheduling import format_interval

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown as sanitised HTML."""
    return mark_safe(markdown_to_html(text))  # noqa: S308 - sanitised by nh3 above


@register.filter
def inline(text: str) -> str:
    """Render one line (a key point, a follow-up): text escaped, `code` and $formulas$ kept."""
    return mark_safe(inline_to_html(text))  # noqa: S308 - escaped and sanitised by nh3


@register.filter
def interval(value) -> str:
    """Format a timedelta the way the answer buttons show it (10m, 2d, 3mo)."""
    return format_interval(value)
