from django.contrib import admin
from django.urls import include, path

from .errors import healthz

handler500 = "genai_prep.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("flashcards.urls")),
]
