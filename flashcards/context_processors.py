from .models import StudySettings
from .reviews import study_settings_for


def theme(request) -> dict:
    """The learner's colour theme ("system" for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"theme": StudySettings.Theme.SYSTEM}
    return {"theme": study_settings_for(user).theme}
