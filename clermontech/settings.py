"""Settings for the Clermont'ech platform.

Everything that changes between a laptop and production comes from environment
variables, read through the small helpers below: a bad value stops start-up with
an ImproperlyConfigured error instead of being silently replaced by a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_admins(name: str) -> list[tuple[str, str]]:
    """ADMINS="Alice <alice@example.org>, bob@example.org" -> [(name, email), ...]."""
    from email.utils import parseaddr

    from django.core.validators import validate_email

    admins = []
    for item in env_list(name, []):
        display, address = parseaddr(item)
        try:
            validate_email(address)
        except Exception:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an email address (expected "
                f"'Name <address>' or 'address', separated by commas)."
            ) from None
        admins.append((display or address, address))
    return admins


# Fail closed: without DEBUG set, the site runs as in production, and then a real
# SECRET_KEY and ALLOWED_HOSTS are mandatory. `make run`, `make test` and the README
# set DEBUG=1 for development.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 a secret key is mandatory: "
            "export SECRET_KEY to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

# The key of the ban list's address fingerprints (community/bans.py). Defaults to the
# SECRET_KEY; set it once in production and keep it when the SECRET_KEY changes,
# otherwise banned addresses are no longer recognised at sign-up.
BAN_LIST_KEY = env_str("BAN_LIST_KEY") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty. With DEBUG=0 list the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Public address of the site, used in emails (links to events, tickets, unsubscribe),
# the .ics files and the feed. Set it in production (https://apihour.example.org). In
# development, when it is not set, it follows the PORT that `make run` serves.
PORT = env_int("PORT", 8000)
SITE_URL = (env_str("SITE_URL") or f"http://127.0.0.1:{PORT if DEBUG else 8000}").rstrip("/")
# The site's name, in emails ("Bonjour de la part de Clermont'ech") and the admin. With
# SITE_URL's host, it is copied into django.contrib.sites' Site after every migrate
# (core/sites.py), which allauth's emails read.
SITE_NAME = env_str("SITE_NAME", "Clermont'ech")


def env_site_url(name: str, default: str) -> str:
    """An http(s) address without a path ("https://clermontech.org"), no trailing slash."""
    from urllib.parse import urlsplit

    raw = env_str(name, default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected an http(s) address without a path, "
            "e.g. https://clermontech.org."
        )
    return raw.rstrip("/")


# The old Jekyll site (talks.jekyll_import and the redirects of talks/views_old_site.py):
# the archive's relative links (slides as "/api-hours/slides/….pdf") are completed with
# this address, and its links to this host (with or without "www.") are recognised as
# links to the old site's pages.
OLD_SITE_URL = env_site_url("OLD_SITE_URL", "https://clermontech.org")

INSTALLED_APPS = [
    # django.contrib.admin, with the index in the organizers' order (clermontech/admin_site.py).
    "clermontech.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dbbackup",
    "core",
    "members",
    "events",
    "talks",
    "sponsors",
    "community",
    # The top of the layers: the history page and the organizers' insights, the public API.
    "history",
    "api",
    "ninja",  # its static files serve the API's docs page (no CDN: the strict CSP holds)
]

# GitHub login appears only when its OAuth keys are configured.
GITHUB_CLIENT_ID = env_str("GITHUB_CLIENT_ID")
GITHUB_SECRET = env_str("GITHUB_SECRET")
SOCIALACCOUNT_PROVIDERS: dict = {}
if GITHUB_CLIENT_ID and GITHUB_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.github")
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_SECRET, "key": ""}],
        "SCOPE": ["user:email"],
        "VERIFIED_EMAIL": True,
    }

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "clermontech.urls"
WSGI_APPLICATION = "clermontech.wsgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "core.context_processors.contact",
            ],
        },
    },
]

# SQLite file in the project folder by default; PostgreSQL in production and CI
# (DATABASE_URL=postgres://user@host:5432/name).
# Persistent connections in production: opening a PostgreSQL connection per request
# costs more than most pages (issue 15 measured 149 against 580 requests/s). The health
# check reopens a connection the server closed meanwhile, before the request uses it.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # SQLite ignores select_for_update(): IMMEDIATE makes every transaction take
        # the write lock when it begins, so two seat allocations can never interleave.
        "transaction_mode": "IMMEDIATE",
        # WAL lets readers go on while one writer holds the lock; busy_timeout (ms)
        # makes a second writer wait for the lock instead of failing at once.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    # Tests run on a file, not in memory, so that threads in the concurrency tests
    # each get their own real connection, as server processes would.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# A cache shared by every server process: allauth's and our rate limits count in it, the
# sessions are kept in it (in front of the database), pages are cached in it. One machine:
# the database cache, no extra server (its table is created by a migration). Several app
# servers: Redis (REDIS_URL=redis://host:6379/0), which every server shares.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: expected redis://host:port/db.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
# Whole pages for anonymous visitors (core/pagecache.py): kept this many seconds in the
# cache above, and dropped at once when the content of these apps changes. 0 turns it off
# (the default with DEBUG, so development always shows fresh pages).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 5)
PAGE_CACHE_APPS = ("members", "events", "talks", "sponsors", "community", "history")
# ...except these, which only move counts (seats left, the waiting list, draw requests):
# a change to them does not drop the cache, or it would be off during the rush; anonymous
# visitors see them at most PAGE_CACHE_SECONDS late, the member who made it at once.
PAGE_CACHE_COUNTS_ONLY = ("events.rsvp", "events.drawrequest", "events.openingalert")

# Sessions read from the cache, written through to the database (nothing lost when the
# cache is flushed or Redis restarts).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# French first, English available. Our own strings are written in French and
# translated to English in locale/en.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded images (member avatars, sponsor logos; see core/images.py): refused
# above this size in bytes, or in pixels as read from the header before decoding.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 25_000_000)
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

# Backups (django-dbbackup): `manage.py dbbackup` (PostgreSQL: pg_dump's consistent
# snapshot; SQLite: its online backup API) and `manage.py mediabackup` write here;
# `dbrestore` and `mediarestore` bring them back (README, "Backups").
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BACKUP_DIR)},
}
DBBACKUP_CONNECTOR_MAPPING = {
    "django.db.backends.postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector",
    "django.db.backends.sqlite3": "dbbackup.db.sqlite.SqliteBackupConnector",
}
DBBACKUP_SEND_EMAIL = False  # a failed backup exits non-zero: cron or systemd says so

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): email is the login, and it must be verified.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
# allauth's forms with our words ("Adresse e-mail", never "Courriel").
ACCOUNT_FORMS = {
    "login": "members.account_forms.LoginForm",
    "signup": "members.account_forms.SignupForm",
    "add_email": "members.account_forms.AddEmailForm",
    "reset_password": "members.account_forms.ResetPasswordForm",
}
# Refuses banned addresses at sign-up and when an address is added (community.bans), and
# finds the visitor's address behind the proxy (TRUSTED_PROXY_COUNT below).
ACCOUNT_ADAPTER = "community.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Clermont'ech] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits stay at their defaults (on); they count in CACHES["default"].
# Ours use the same mechanism (core.ratelimits): "N/period/per", period in s, m, h or
# d, per "ip" (anonymous allowed) or "user". A refusal shows a message, nothing is written.
ACCOUNT_RATE_LIMITS = {
    # Failed logins count per account and visitor address (members.adapter); every
    # login attempt on one account, from anywhere, is bounded too.
    "login_account": "100/h/key",
    # Each report emails the organizers: a few per hour and per address is plenty.
    "incident_report": "5/h/ip",
    "talk_proposal": "10/d/user",
    "wishlist_topic": "10/d/user",
    # The public API (api/): generous for a partner site or a script, a brake on scrapers.
    "api": "300/m/ip",
}
SOCIALACCOUNT_AUTO_SIGNUP = False

# Every URL field, in every form and in the admin: an address typed without a scheme
# ("exemple.fr") gets https://. The one home of that rule; Django 6 makes it the default
# (then remove this line, and the warning filter in pyproject.toml).
FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Who gets an email with the traceback when a page fails (a 500): "Name <address>, ...".
# The error page says "the team was notified" only when this is set.
ADMINS = env_admins("ADMINS")

# Email: printed on the console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clermont'ech <bonjour@clermontech.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address shown to members to write to the organizers (footer, About page).
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "bonjour@clermontech.org")
# Where new talk proposals and incident reports are sent (comma-separated).
ORGANIZERS_EMAILS = env_list("ORGANIZERS_EMAILS", [])

# Background work (django-tasks). Development (DEBUG=1) and tests run tasks at once,
# inside the request or command. Production (DEBUG=0) stores them in the database
# (django-tasks-db) and a worker runs them: `python manage.py db_worker`.
_TASKS_DEFAULT = (
    "django_tasks.backends.immediate.ImmediateBackend"
    if DEBUG
    else "django_tasks_db.DatabaseBackend"
)
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", _TASKS_DEFAULT)}}

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 so Django
# trusts X-Forwarded-Proto; SECURE_SSL_REDIRECT and HSTS default on without DEBUG.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append to X-Forwarded-For (1 behind one Caddy or
# nginx). Rate limits (failed logins, sign-ups, reports) count per visitor address: with
# 0 behind a proxy, every visitor has the proxy's address and one person's mistakes
# lock everyone out. Never set it higher than the real number of proxies: the visitor
# could then choose their own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline script or style anywhere; embedded videos
# come from youtube-nocookie only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", "https://github.com"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the id of the request it belongs to (core.middleware), the
    # same id as on the error page and in the X-Request-ID header.
    "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "with_request_id": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "with_request_id",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task start and end would drown the commands' own report; failures
    # (WARNING and above) still show. The worker (db_worker) logs its own progress.
    "loggers": {"django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")}},
}
