"""Settings for GenAI Interview Prep, read from the environment.

SQLite is the default so the app runs with no setup; set DATABASE_URL for PostgreSQL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY, or DEBUG=1 for local development.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# HTTPS: on by default in production. Behind a TLS-terminating proxy, set BEHIND_PROXY=1 so the
# proxy's X-Forwarded-Proto is trusted; HTTPS=0 serves plain HTTP (local runs, loopback tests).
HTTPS = envbool("HTTPS", "False" if DEBUG else "True")
BEHIND_PROXY = envbool("BEHIND_PROXY")
# Proxies between the visitor and the app that append to X-Forwarded-For (genai_prep/client.py).
TRUSTED_PROXY_HOPS = envint("TRUSTED_PROXY_HOPS", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django_tasks",
    "django_tasks_db",
    "flashcards",
]

MIDDLEWARE = [
    "genai_prep.middleware.RequestIdMiddleware",
    "genai_prep.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "flashcards.middleware.LearnerTimeZoneMiddleware",
    "genai_prep.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "flashcards.htmx_errors.HtmxErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

if envbool("QUERY_COUNT_HEADER"):
    MIDDLEWARE.insert(1, "genai_prep.middleware.QueryCountMiddleware")

ROOT_URLCONF = "genai_prep.urls"
WSGI_APPLICATION = "genai_prep.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "flashcards.context_processors.theme",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_genai_prep")}
    # Server-side parameters let PostgreSQL prepare a statement that a connection runs again and
    # again (the study round trip's are the same every time), so it is planned once, not on every
    # request. Behind a transaction-mode pooler they are turned off per connection, detected when
    # it opens (genai_prep/database.py); DB_PREPARED_STATEMENTS=0/1 decides by hand.
    if envbool("DB_PREPARED_STATEMENTS", "True"):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest request body accepted (file uploads included), refused from its Content-Length
# before any of it is read (genai_prep/middleware.py).
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", 10_000_000)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "flashcards.backends.LearnerBackend",
]
# Guessing passwords: after 5 failures for one account from one address, a 15-minute lock-out
# (staff included); a success resets the count. Every form that checks a password (log in by
# username or e-mail, password change, re-authentication, account deletion) goes through
# authenticate(), and an e-mail address counts as its account's username.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "flashcards.auth.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "genai_prep.client.client_ip"
# Sign-ups allowed from one address per clock hour (flashcards.account.signup_allowed).
SIGNUPS_PER_HOUR = envint("SIGNUPS_PER_HOUR", 20)

SITE_ID = 1
# The address links in mail sent outside a request (reminders) start with.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Accounts (django-allauth): sign up with an e-mail address (a username is optional and derived
# from the address when left empty), log in with either.
ACCOUNT_ADAPTER = "flashcards.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_SIGNUP_REDIRECT_URL = "study"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_FORMS = {
    "login": "flashcards.auth.LoginForm",
    "signup": "flashcards.auth.SignupForm",
    "change_password": "flashcards.auth.ChangePasswordForm",
    "reset_password_from_key": "flashcards.auth.ResetPasswordKeyForm",
    "set_password": "flashcards.auth.SetPasswordForm",
}
# django-axes locks out failed logins (above); allauth's own login-failure limit would answer
# first with a different message, so it is off. Its other limits (mail sending) stay.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# Sign-in with GitHub or Google appears only when the operator sets their OAuth credentials.
SOCIALACCOUNT_PROVIDERS = {
    provider: {
        "APPS": [
            {
                "client_id": os.environ[f"{prefix}_CLIENT_ID"],
                "secret": os.environ[f"{prefix}_CLIENT_SECRET"],
            }
        ],
        **({"SCOPE": ["profile", "email"]} if provider == "google" else {}),
    }
    for provider, prefix in (("github", "GITHUB"), ("google", "GOOGLE"))
    if os.environ.get(f"{prefix}_CLIENT_ID") and os.environ.get(f"{prefix}_CLIENT_SECRET")
}
INSTALLED_APPS += [f"allauth.socialaccount.providers.{p}" for p in SOCIALACCOUNT_PROVIDERS]
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

# Outgoing mail: SMTP from the environment; without EMAIL_HOST a DEBUG run prints mail.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = envint("EMAIL_PORT", 587 if envbool("EMAIL_USE_TLS") else 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "GenAI Interview Prep <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background work (the LLM coach): Django's tasks API from the django-tasks backport, queued in
# PostgreSQL by django-tasks-db and run by `manage.py db_worker` (started by make run / make serve).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The optional LLM coach (flashcards.llm_coach): offered only when a base URL and a model are set.
COACH_LLM_BASE_URL = os.environ.get("COACH_LLM_BASE_URL", "").strip().rstrip("/")
COACH_LLM_MODEL = os.environ.get("COACH_LLM_MODEL", "").strip()
COACH_LLM_API_KEY = os.environ.get("COACH_LLM_API_KEY", "")
COACH_LLM_TIMEOUT = envint("COACH_LLM_TIMEOUT", 20)
COACH_LLM_DAILY_LIMIT = envint("COACH_LLM_DAILY_LIMIT", 50)

# Fuzzing spreads review dates apart; tests turn it off to get exact intervals.
FSRS_ENABLE_FUZZING = envbool("FSRS_ENABLE_FUZZING", "True")

# One JSON object per line on stdout, each with the request id, for a log collector.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "genai_prep.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "genai_prep.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
