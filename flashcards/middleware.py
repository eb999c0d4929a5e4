"""Every date and time a learner sees is in their own time zone."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from .reviews import study_settings_for


class LearnerTimeZoneMiddleware:
    """Activate the signed-in learner's time zone (from their settings) for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(ZoneInfo(study_settings_for(user).time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
