from django import template
from django.utils.safestring import mark_safe

from flashcards.rendering import markdown_to_html
from flashcards.scheduling import format_interval

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown as sanitised HTML."""
    return mark_safe(markdown_to_html(text))  # noqa: S308 - sanitised by nh3 above


@register.filter
def interval(value) -> str:
    """Format a timedelta the way the answer buttons show it (10m, 2d, 3mo)."""
    return format_interval(value)
