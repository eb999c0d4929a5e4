"""The editorial admin: staff edit the bank; learner data is read-only."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Avg, Count, Q, TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import editing, fixture
from .exporting import export_text
from .models import Card, Question, Report, Review, Section, StudySettings, Subsection


class LinesField(forms.CharField):
    """A list of short texts edited as one line each (blank lines are dropped)."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 80})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


def point_lines(texts: list[str], cues: list[list[str]]) -> list[str]:
    """Key points as admin lines: "point | cue; cue; cue" (or just "point" without cues)."""
    if not cues:
        return list(texts)
    return [
        f"{text} | {'; '.join(point_cues)}" if point_cues else text
        for text, point_cues in zip(texts, cues, strict=True)
    ]


def split_point_lines(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The inverse of point_lines: (texts, cues); the cues are [] when no line has any."""
    texts, cues = [], []
    for line in lines:
        text, _, rest = line.partition("|")
        texts.append(text.strip())
        cues.append([cue.strip() for cue in rest.split(";") if cue.strip()])
    return texts, (cues if any(cues) else [])


POINTS_HELP = (
    "One key point per line. The built-in coach's cues follow a bar, separated by semicolons: "
    "Caches past keys and values | KV cache; key-value cache; cached keys and values"
)


class QuestionForm(forms.ModelForm):
    """Applies the fixture's validation (formulas included), and refuses a rank another active
    question already has. Key points are edited one per line, each with its cues."""

    key_points = LinesField(required=False, help_text=POINTS_HELP)
    follow_up_key_points = LinesField(required=False, help_text=POINTS_HELP)

    class Meta:
        model = Question
        fields = "__all__"

    PREVIEWED = ("answer", "key_points", "follow_up", "follow_up_answer", "follow_up_key_points")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typing in these re-renders the preview (htmx posts the whole form, CSRF token included).
        for name in self.PREVIEWED:
            if name in self.fields:
                self.fields[name].widget.attrs.update({
                    "hx-post": reverse("admin:flashcards_question_preview"),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-include": "closest form",
                    "hx-target": "#card-preview",
                    "hx-swap": "outerHTML",
                })  # fmt: skip
        for name, cues_name in fixture.POINT_LISTS.items():
            if name in self.fields and not self.is_bound:
                texts, cues = getattr(self.instance, name), getattr(self.instance, cues_name)
                self.initial[name] = point_lines(texts or [], cues or [])

    def clean(self) -> dict:
        cleaned = super().clean()
        if "key_points" in cleaned and cleaned["key_points"] is None:
            cleaned["key_points"] = []
        for name, cues_name in fixture.POINT_LISTS.items():
            if cleaned.get(name) is not None:
                cleaned[name], cues = split_point_lines(cleaned[name])
                setattr(self.instance, cues_name, cues)
                cleaned[cues_name] = cues
        checked = {
            name: cleaned[name]
            for name in (*fixture.QUESTION_FIELDS, *fixture.POINT_LISTS.values())
            if name in cleaned
        }
        for name, message in fixture.question_problems(checked).items():
            self.add_error(name, message[0].upper() + message[1:] + ".")
        return cleaned

    def clean_rank(self) -> int:
        rank = self.cleaned_data["rank"]
        clash = Question.objects.active().filter(rank=rank).exclude(pk=self.instance.pk).first()
        if clash is not None and self.cleaned_data.get("is_active", True):
            raise forms.ValidationError(f"Rank {rank} is already used by “{clash.prompt}”.")
        return rank


def _preview_html(question: Question) -> str:
    problems = list(fixture.question_problems(editing.content_of(question)).values())
    return render_to_string(
        "admin/flashcards/question/_preview.html", {"question": question, "problems": problems}
    )


def _save_question(question: Question) -> None:
    """Save an edited question, keeping the old text as a revision when it changed materially."""
    if question.pk is not None:
        old = editing.content_of(Question.objects.get(pk=question.pk))
        if editing.material_change(old, editing.content_of(question)):
            editing.record_revision(question, old)
    question.save()


class NoDeleteAdmin(admin.ModelAdmin):
    """The bank is never deleted from (learner history points at it): deactivate instead."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RowLabelForm(forms.ModelForm):
    """A list row's editable fields, labelled with their row: the admin renders them bare."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} of {self.instance}"


class LabelledRowsAdmin(NoDeleteAdmin):
    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=RowLabelForm, **kwargs)


class SubsectionInline(admin.StackedInline):
    model = Subsection
    fields = ("title", "key", "position")
    extra = 0
    can_delete = False


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionForm
    fields = ("prompt", "key", "rank", "position", "origin", "is_active")
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Section)
class SectionAdmin(LabelledRowsAdmin):
    list_display = ("title", "key", "position")
    list_editable = ("position",)
    search_fields = ("title", "key")
    inlines = [SubsectionInline]
    actions = ["deactivate_questions"]

    @admin.action(description="Deactivate the questions of selected sections")
    def deactivate_questions(self, request, queryset):
        count = Question.objects.filter(subsection__section__in=queryset).update(is_active=False)
        messages.success(request, f"{count} question(s) deactivated; learner progress is kept.")


@admin.register(Subsection)
class SubsectionAdmin(LabelledRowsAdmin):
    list_display = ("title", "section", "key", "position")
    list_editable = ("position",)
    list_filter = ("section",)
    list_select_related = ("section",)
    search_fields = ("title", "key")
    inlines = [QuestionInline]
    actions = ["deactivate_questions"]

    @admin.action(description="Deactivate the questions of selected subsections")
    def deactivate_questions(self, request, queryset):
        count = Question.objects.filter(subsection__in=queryset).update(is_active=False)
        messages.success(request, f"{count} question(s) deactivated; learner progress is kept.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not Question:
            return super().save_formset(request, form, formset, change)
        for question in formset.save(commit=False):
            _save_question(question)


@admin.action(description="Activate selected questions")
def activate(modeladmin, request, queryset):
    count = queryset.update(is_active=True)
    messages.success(request, f"{count} question(s) activated.")


@admin.action(description="Deactivate selected questions (learner progress is kept)")
def deactivate(modeladmin, request, queryset):
    count = queryset.update(is_active=False)
    messages.success(request, f"{count} question(s) deactivated.")


@admin.action(description="Export selected questions to the fixture format")
def export_fixture(modeladmin, request, queryset):
    response = HttpResponse(export_text(queryset), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="genai_questions.yaml"'
    return response


@admin.register(Question)
class QuestionAdmin(NoDeleteAdmin):
    form = QuestionForm
    list_display = ("prompt", "section", "subsection", "rank", "origin", "is_active", "updated_at")
    list_filter = ("subsection__section", "origin", "is_active")
    list_select_related = ("subsection__section",)
    search_fields = ("prompt", "answer", "key")
    readonly_fields = ("version", "updated_at", "answer_preview", "usage")
    ordering = ("rank",)
    actions = [activate, deactivate, export_fixture]
    fieldsets = [
        (
            None,
            {"fields": ("subsection", "key", "prompt", "rank", "position", "origin", "is_active")},
        ),
        (
            "Back of the card",
            {
                "fields": (
                    "answer",
                    "key_points",
                    "follow_up",
                    "follow_up_answer",
                    "follow_up_key_points",
                    "answer_preview",
                ),  # fmt: skip
                "description": "Markdown; formulas in LaTeX between $…$ (or $$…$$ on a line "
                "of their own). The preview below follows what you type.",
            },
        ),
        ("History and use", {"fields": ("version", "updated_at", "usage")}),
    ]

    @admin.display(ordering="subsection__section__position")
    def section(self, question: Question) -> str:
        return question.subsection.section.title

    @admin.display(description="Preview (as learners see it)")
    def answer_preview(self, question: Question) -> str:
        return mark_safe(_preview_html(question))  # noqa: S308 - a template, autoescaped

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="flashcards_question_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """Render the back of the card from the form being typed (POST from htmx)."""
        if request.method != "POST":
            return HttpResponse("Preview is posted by the edit form.", status=405)
        if not self.has_view_or_change_permission(request):
            return HttpResponse("Not allowed.", status=403)
        lines = LinesField(required=False)
        question = Question(
            answer=request.POST.get("answer", ""),
            key_points=split_point_lines(lines.clean(request.POST.get("key_points", "")))[0],
            follow_up=request.POST.get("follow_up", ""),
            follow_up_answer=request.POST.get("follow_up_answer", ""),
            follow_up_key_points=split_point_lines(
                lines.clean(request.POST.get("follow_up_key_points", ""))
            )[0],
        )
        return HttpResponse(_preview_html(question))

    @admin.display(description="Learner use")
    def usage(self, question: Question) -> str:
        if question.pk is None:
            return "—"
        learners = Card.objects.filter(question=question).exclude(state=Card.State.NEW).count()
        figures = Review.objects.filter(question=question).aggregate(
            n=Count("id"), known=Count("id", filter=Q(known=True)), confidence=Avg("confidence")
        )
        if not figures["n"]:
            return f"{learners} learner(s) studied it; no reviews yet."
        return (
            f"{learners} learner(s) studied it; {figures['n']} reviews, "
            f"{round(100 * figures['known'] / figures['n'])}% answered known, "
            f"average confidence {figures['confidence'] or 0:.1f} of 3."
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            in_points = self.model.objects.annotate(points=Cast("key_points", TextField())).filter(
                points__icontains=search_term
            )
            queryset |= self.model.objects.filter(pk__in=in_points.values("pk"))
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        _save_question(obj)


@admin.action(description="Mark selected reports resolved")
def resolve_reports(modeladmin, request, queryset):
    count = queryset.update(status=Report.Status.RESOLVED)
    messages.success(request, f"{count} report(s) resolved.")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "status", "question_link", "version", "comment")
    list_filter = ("status", "kind")
    list_select_related = ("question",)
    search_fields = ("comment", "question__prompt")
    readonly_fields = ("user", "question", "version", "kind", "comment", "created_at")
    fields = ("question", "version", "kind", "comment", "user", "created_at", "status")
    actions = [resolve_reports]
    ordering = ("status", "-created_at")

    def has_add_permission(self, request) -> bool:
        return False

    # Editors work the queue without learner identity; only superusers see who reported.
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "user"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "user"]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split("__")[0] == "user" and not (request and request.user.is_superuser):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="Question", ordering="question__rank")
    def question_link(self, report: Report) -> str:
        url = reverse("admin:flashcards_question_change", args=[report.question_id])
        return format_html('<a href="{}">{}</a>', url, report.question.prompt)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learner data is shown to staff, never edited by hand: the scheduler owns it."""

    def get_queryset(self, request):
        # Learners' own cards are private (#16): staff see progress on the bank only.
        queryset = super().get_queryset(request)
        if hasattr(self.model, "question"):
            queryset = queryset.filter(question__owner__isnull=True)
        return queryset

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
    search_fields = ("user__username",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("user", "question", "rating", "known", "confidence", "reviewed_at", "source")
    list_filter = ("rating", "source")
    list_select_related = ("user", "question")
    date_hierarchy = "reviewed_at"


@admin.register(StudySettings)
class StudySettingsAdmin(ReadOnlyAdmin):
    list_display = ("user", "new_per_day", "desired_retention", "time_zone", "day_starts_at")
    list_select_related = ("user",)
