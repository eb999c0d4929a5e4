from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from flashcards.forms import LoginForm
from flashcards.views.account import PasswordChange

from .errors import favicon, healthz

handler500 = "genai_prep.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Password reset needs outgoing mail, which this deployment does not have yet.
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        PasswordChange.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("flashcards.urls")),
]
