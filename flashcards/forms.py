from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import UserCreationForm

from . import scheduling

TIME_ZONES = available_timezones()


class AnswerForm(forms.Form):
    """One press of an answer button, with the card version the learner was shown."""

    rating = forms.TypedChoiceField(
        choices=[(r, a.label) for r, a in scheduling.ANSWERS.items()], coerce=int
    )
    reps = forms.IntegerField(min_value=0, max_value=1_000_000)
    shown_at = forms.IntegerField(required=False, min_value=0, max_value=10**14)


class SignupForm(UserCreationForm):
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone") or "UTC"
        return value if value in TIME_ZONES else "UTC"
