from datetime import date, timedelta
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate

from . import fixture, llm_coach, own_cards, scheduling, tags
from .models import (
    MY_QUESTIONS,
    Question,
    ReminderPreference,
    Report,
    StudySettings,
    Subsection,
)

TIME_ZONES = available_timezones()
# The furthest interview date a learner can set: plans and intervals are computed up to it.
INTERVIEW_HORIZON = timedelta(days=730)


class AnswerForm(forms.Form):
    """One press of an answer button, with the card version the learner was shown."""

    rating = forms.TypedChoiceField(
        choices=[(r, a.label) for r, a in scheduling.ANSWERS.items()], coerce=int
    )
    reps = forms.IntegerField(min_value=0, max_value=1_000_000)
    shown_at = forms.IntegerField(required=False, min_value=0, max_value=10**14)
    # The built-in coach's suggestion when the learner typed an answer; kept beside their choice.
    suggested_rating = forms.TypedChoiceField(
        choices=[(r, a.label) for r, a in scheduling.ANSWERS.items()], coerce=int,
        required=False, empty_value=None,
    )  # fmt: skip


class UndoForm(forms.Form):
    """An undo, with when the page that offered it was shown (milliseconds since the epoch)."""

    shown_at = forms.IntegerField(min_value=0, max_value=10**14)


class StudySettingsForm(forms.ModelForm):
    """The learner's study settings, each checked against what the scheduler can do."""

    time_zone = forms.ChoiceField(choices=[(tz, tz) for tz in sorted(TIME_ZONES)])
    new_per_day = forms.IntegerField(min_value=0, max_value=100, label="New cards per day")
    review_cap = forms.IntegerField(
        min_value=1,
        max_value=9999,
        required=False,
        label="Most reviews per day",
        help_text="Optional. On a day with more reviews due, new cards wait.",
    )
    desired_retention = forms.FloatField(
        min_value=0.70,
        max_value=0.97,
        label="Desired retention",
        help_text="The recall probability cards are scheduled for: higher means more reviews.",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    day_starts_at = forms.IntegerField(
        min_value=0, max_value=23, label="A study day starts at (hour, 0–23)"
    )
    interview_date = forms.DateField(
        required=False,
        label="Interview date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. Intervals are capped so every card comes back before it.",
    )

    class Meta:
        model = StudySettings
        fields = [
            "new_per_day",
            "review_cap",
            "desired_retention",
            "time_zone",
            "day_starts_at",
            "interview_date",
            "type_before_reveal",
            "llm_coach",
        ]
        labels = {"type_before_reveal": "Type my answer before revealing"}
        help_texts = {
            "type_before_reveal": "A box on each card's front for your answer; the built-in coach "
            "then shows which key points it covered and suggests a rating."
        }

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # The LLM coach is offered only when the operator configured one (flashcards.llm_coach).
        if llm_coach.is_configured():
            field = self.fields["llm_coach"]
            field.label = f"Also get feedback from the LLM coach ({settings.COACH_LLM_MODEL})"
            field.help_text = (
                f"When on, your typed answers in practice interviews, with the question, its "
                f"model answer and key points, are sent to {llm_coach.host()} for feedback. "
                f"Off by default; the built-in coach never sends anything anywhere."
            )
        else:
            del self.fields["llm_coach"]

    def clean_interview_date(self) -> date | None:
        value = self.cleaned_data.get("interview_date")
        if value is not None and value < self.today:
            raise forms.ValidationError("The interview date cannot be in the past.")
        if value is not None and value > self.today + INTERVIEW_HORIZON:
            raise forms.ValidationError("Choose an interview date within the next two years.")
        return value


class SearchForm(forms.Form):
    STATES = [("", "All cards"), ("new", "New"), ("learning", "Learning"),
              ("review", "Review"), ("known", "Known"), ("suspended", "Suspended")]  # fmt: skip

    q = forms.CharField(required=False, max_length=200, label="Search")
    state = forms.ChoiceField(required=False, choices=STATES)
    tag = forms.CharField(required=False, max_length=tags.NAME_LIMIT)


class ReportForm(forms.ModelForm):
    # The kinds only: no blank "---------" choice (the model field's own form field adds one).
    kind = forms.ChoiceField(
        choices=Report.Kind.choices, widget=forms.RadioSelect, label="What is the problem?"
    )

    class Meta:
        model = Report
        fields = ["kind", "comment"]
        widgets = {
            "kind": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }
        labels = {"kind": "What is the problem?", "comment": "Comment (optional)"}


LOCKED_OUT = "Too many wrong passwords: try again in a while."


def password_confirmed(request, user, password: str) -> bool:
    """Whether `password` is the signed-in learner's, checked like a login: through django-axes,
    so wrong guesses count toward the same lock-out (then even the right one is refused)."""
    confirmed = authenticate(request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk


def _password_error(request) -> forms.ValidationError:
    if getattr(request, "axes_locked_out", False):
        return forms.ValidationError(LOCKED_OUT, code="locked_out")
    return forms.ValidationError("That is not your password.", code="password_incorrect")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Your password")

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password_confirmed(self.request, self.user, password):
            raise _password_error(self.request)
        return password


class StartInterviewForm(forms.Form):
    length = forms.TypedChoiceField(
        choices=[(5, "5 questions"), (10, "10 questions"), (15, "15 questions")], coerce=int
    )
    focus = forms.ChoiceField()

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = [
            ("bank", "Whole bank"),
            ("weakest", "My weakest"),
            *[(f"section:{s.key}", s.title) for s in sections],
        ]


VERDICTS = [("pass", "I'd pass this"), ("fail", "I wouldn't")]


class GradeForm(forms.Form):
    """The key points the learner covered, and their verdict."""

    covered = forms.TypedMultipleChoiceField(coerce=int, required=False)
    verdict = forms.ChoiceField(choices=VERDICTS, widget=forms.RadioSelect)

    def __init__(self, *args, points: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["covered"].choices = list(enumerate(points))


class FollowUpForm(forms.Form):
    answer = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    verdict = forms.ChoiceField(
        choices=[("pass", "I answered it well"), ("fail", "I struggled")], widget=forms.RadioSelect
    )


class RevealForm(forms.Form):
    """What the learner typed before revealing (Django's CharField refuses NUL bytes)."""

    typed_answer = forms.CharField(required=False, max_length=10_000, strip=False)


class ReminderForm(forms.ModelForm):
    enabled = forms.BooleanField(required=False, label="Send me a daily reminder")
    hour = forms.TypedChoiceField(
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        label="At (your local time)",
    )

    class Meta:
        model = ReminderPreference
        fields = ["enabled", "hour"]

    def __init__(self, *args, has_address: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_address = has_address

    def clean_enabled(self) -> bool:
        enabled = self.cleaned_data["enabled"]
        if enabled and not self.has_address:
            raise forms.ValidationError("Add and confirm an e-mail address first.")
        return enabled

    def save(self, commit: bool = True) -> ReminderPreference:
        if self.cleaned_data["enabled"]:
            self.instance.undeliverable = False  # the learner checked their address
        return super().save(commit)


class PlacementForm(forms.Form):
    """Where own cards go (My questions or a bank subsection) and their priority."""

    placement = forms.ChoiceField(label="Place it in")
    priority = forms.ChoiceField(
        choices=Question.Priority.choices,
        initial=Question.Priority.NORMAL,
        help_text="High: before the bank's new cards. Normal: after the bank's 40 most likely. "
        "Low: after all of them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subsections = {
            s.key: s
            for s in Subsection.objects.select_related("section").order_by(
                "section__position", "position", "id"
            )
        }
        self.fields["placement"].choices = [
            (own_cards.MY_QUESTIONS_KEY, MY_QUESTIONS),
            *((key, str(s)) for key, s in self.subsections.items()),
        ]

    def placed_in(self) -> Subsection | None:
        """The chosen bank subsection, or None for My questions."""
        return self.subsections.get(self.cleaned_data["placement"])


class OwnCardForm(PlacementForm):
    """An own card as the learner writes it, checked with the bank's limits (fixture.py)."""

    field_order = ["prompt", "answer", "key_points", "follow_up", "placement", "priority"]

    prompt = forms.CharField(
        max_length=fixture.TEXT_LIMITS["prompt"], widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        required=False,
        max_length=fixture.TEXT_LIMITS["answer"],
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown; formulas between $…$.",
    )
    key_points = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Optional: one per line, at most {fixture.MAX_KEY_POINTS}.",
    )
    follow_up = forms.CharField(
        required=False,
        max_length=fixture.TEXT_LIMITS["follow_up"],
        label="Likely follow-up question",
    )

    def clean_key_points(self) -> list[str]:
        lines = self.cleaned_data["key_points"].splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean(self) -> dict:
        data = super().clean()
        given = {name: data[name] for name in own_cards.FIELDS if name in data}
        for name, problem in fixture.question_problems(given).items():
            if name in self.fields:
                self.add_error(name, problem)
        return data

    def own_card(self) -> own_cards.OwnCard:
        data = self.cleaned_data
        return own_cards.OwnCard(
            prompt=data["prompt"].strip(),
            answer=data["answer"],
            key_points=data["key_points"],
            follow_up=data["follow_up"].strip(),
            subsection=self.placed_in(),
            priority=data["priority"],
        )

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "prompt": question.prompt,
            "answer": question.answer,
            "key_points": "\n".join(question.key_points),
            "follow_up": question.follow_up,
            "placement": question.subsection.key
            if question.subsection_id
            else own_cards.MY_QUESTIONS_KEY,
            "priority": question.priority,
        }


class ImportForm(PlacementForm):
    """A CSV or tab-separated file of own cards, and where they go."""

    field_order = ["file", "placement", "priority"]

    file = forms.FileField(
        label="File (CSV or tab-separated, UTF-8)",
        help_text="One card per line: question, answer, then optional key points and tags; a "
        "header row naming the columns is recognised. At most 500 cards and 1 MB.",
    )


class TagForm(forms.Form):
    """A tag name to add to a card (normalised by tags.normalise)."""

    name = forms.CharField(max_length=200, label="Add a tag", help_text=tags.NAME_RULE)

    def clean_name(self) -> str:
        try:
            return tags.normalise(self.cleaned_data["name"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
