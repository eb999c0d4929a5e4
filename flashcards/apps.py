from django.apps import AppConfig
from django.db.models.signals import post_migrate

EDITOR_GROUP = "editor"
# Editors keep the question bank and work the report queue; they see no learner accounts.
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("section", "subsection", "question")
    for action in ("add", "change", "view")
] + ["view_report", "change_report"]


def ensure_editor_group(sender, using="default", **kwargs) -> None:
    """Create the editor group with its permissions (after every migrate, idempotently)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.using(using).get_or_create(name=EDITOR_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="flashcards", codename__in=EDITOR_PERMISSIONS
    )
    group.permissions.set(permissions)


class FlashcardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "flashcards"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from genai_prep.database import choose_statement_mode

        post_migrate.connect(ensure_editor_group, sender=self)
        connection_created.connect(choose_statement_mode)
