"""Accounts on django-allauth: the app's adapter and forms, and one way to check a password.

Every form that checks a password calls Django's authenticate(), so django-axes counts each
failure and locks out by account and client address, whichever form the guess came through.
"""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.http import HttpRequest

from genai_prep.client import client_ip

from . import mail
from .forms import TIME_ZONES, password_confirmed
from .models import StudySettings

PASSWORD_RULES = " ".join(password_validation.password_validators_help_texts())


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a login attempt names, for django-axes: an e-mail address counts as the
    username of the account that holds it, so switching between them gains no extra guesses."""
    credentials = credentials or {}
    given = (
        credentials.get("username")
        or credentials.get("email")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    ).strip()
    if "@" not in given:
        return given
    owner = (
        EmailAddress.objects.filter(email__iexact=given).values_list("user__username", flat=True)
    ).first() or (
        get_user_model()
        .objects.filter(email__iexact=given)
        .values_list("username", flat=True)
        .first()
    )
    return owner or given.lower()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The visitor's address for allauth's rate limits, as the rest of the app sees it."""
        return client_ip(request)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's plain-text mail, with an HTML part in the app's look."""
        message = super().render_mail(template_prefix, email, context, headers)
        if not getattr(message, "alternatives", None):
            mail.add_html_part(message)
        return message


class PasswordRulesOnce:
    """The password rules, said once: under the new password, in one paragraph."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.help_text = ""
            field.widget.attrs.pop("placeholder", None)
        if "password1" in self.fields:
            self.fields["password1"].help_text = PASSWORD_RULES


class LoginForm(PasswordRulesOnce, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or e-mail"
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"

    def clean_login(self) -> str:
        login = super().clean_login()
        if len(login) > 254:  # longer than any address; the lock-out log keeps 255 characters
            raise forms.ValidationError("That is longer than any username or e-mail address.")
        return login


class SignupForm(PasswordRulesOnce, allauth_forms.SignupForm):
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["username"].label = "Username (optional)"
        self.fields["username"].help_text = "Leave it empty to use the start of your address."

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone") or "UTC"
        return value if value in TIME_ZONES else "UTC"

    def signup(self, request: HttpRequest, user) -> None:
        StudySettings.objects.create(user=user, time_zone=self.cleaned_data["time_zone"])


class ChangePasswordForm(PasswordRulesOnce, allauth_forms.ChangePasswordForm):
    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        if not password_confirmed(context.request, self.user, password):
            raise forms.ValidationError("That is not your current password.")
        return password


class ResetPasswordKeyForm(PasswordRulesOnce, allauth_forms.ResetPasswordKeyForm):
    pass


class SetPasswordForm(PasswordRulesOnce, allauth_forms.SetPasswordForm):
    pass
