"""Authentication: Django's model backend, loading the learner's settings with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LearnerBackend(ModelBackend):
    """Every signed-in page needs the learner's settings; fetch them in the user's own query."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("study_settings").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
