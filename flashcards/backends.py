"""Authentication: allauth's backend (username or e-mail), loading the learner's settings with
the user."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class LearnerBackend(AuthenticationBackend):
    """Every signed-in page needs the learner's settings; fetch them in the user's own query."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("study_settings").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
