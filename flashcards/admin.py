from django.contrib import admin

from .models import Card, Question, Review, Section, StudySettings, Subsection


class SubsectionInline(admin.TabularInline):
    model = Subsection
    fields = ("title", "key", "position")
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    fields = ("prompt", "key", "rank", "position", "origin", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "position")
    list_editable = ("position",)
    search_fields = ("title", "key")
    inlines = [SubsectionInline]


@admin.register(Subsection)
class SubsectionAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "key", "position")
    list_filter = ("section",)
    list_select_related = ("section",)
    search_fields = ("title", "key")
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("prompt", "subsection", "rank", "origin", "is_active", "version", "updated_at")
    list_filter = ("subsection__section", "origin", "is_active")
    list_select_related = ("subsection__section",)
    search_fields = ("prompt", "answer", "key")
    readonly_fields = ("version", "updated_at")
    ordering = ("rank",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learner data is shown to staff, never edited by hand: the scheduler owns it."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("user", "question", "state", "due", "reps", "lapses", "suspended")
    list_filter = ("state", "suspended")
    list_select_related = ("user", "question")
    raw_id_fields = ("user", "question")
    search_fields = ("user__username",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("user", "question", "rating", "known", "confidence", "reviewed_at", "source")
    list_filter = ("rating", "source")
    list_select_related = ("user", "question")
    raw_id_fields = ("user", "question", "card")
    date_hierarchy = "reviewed_at"


@admin.register(StudySettings)
class StudySettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "new_per_day", "desired_retention", "time_zone", "day_starts_at")
    raw_id_fields = ("user",)
