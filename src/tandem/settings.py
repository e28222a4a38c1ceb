"""Tandem settings, read from the environment (django-environ).

Production differs from development only through environment values:
``TANDEM_ENV`` is one of ``development`` (default), ``demo``, ``test`` or ``production``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("TANDEM_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

ENVIRONMENTS = ("development", "demo", "test", "production")
TANDEM_ENV = env.str("TANDEM_ENV", default="development")
if TANDEM_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"TANDEM_ENV must be one of {', '.join(ENVIRONMENTS)}; got {TANDEM_ENV!r}"
    )
IS_PRODUCTION = TANDEM_ENV == "production"


def _read_secret(name: str) -> str | None:
    """Return ``$NAME`` or the contents of the file named by ``$NAME_FILE``."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value:
        return value
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc.strerror}") from None
    return None


def _development_secret_key() -> tuple[str, bool]:
    """Generate a key once and keep it under var/, so sessions survive restarts of the demo.

    Also say whether the key was generated just now, by this process.
    """
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip(), False
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key, True


_secret = _read_secret("SECRET_KEY")
_secret_is_new = False
if _secret is None:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when TANDEM_ENV=production (set SECRET_KEY or SECRET_KEY_FILE)"
        )
    _secret, _secret_is_new = _development_secret_key()
SECRET_KEY = _secret

# Separate key for the audit chain, so rotating SECRET_KEY (sessions) does not break verification.
_audit_key = _read_secret("AUDIT_HMAC_KEY")
AUDIT_HMAC_KEY = _audit_key or SECRET_KEY
# A key made by this very process (run from a directory without var/secret_key) cannot be the
# one an existing chain was written with: `tandem audit verify` and `checkpoint` refuse to run.
AUDIT_HMAC_KEY_IS_NEW = _audit_key is None and _secret_is_new
# `tandem audit checkpoint` appends a signed copy of the chain head, as one JSON line, to this
# file (keep it where database users cannot write) and/or logs it on `tandem.audit.checkpoint`.
AUDIT_CHECKPOINT_FILE = env.str("AUDIT_CHECKPOINT_FILE", default="")
AUDIT_CHECKPOINT_LOG = env.bool("AUDIT_CHECKPOINT_LOG", default=False)

# Key of research study IDs and date shifts (tandem.research.dataset.deid). Changing it changes
# every study ID, so production sets it on its own: rotating SECRET_KEY (sessions) must not
# re-identify, or break, longitudinal data sets. Elsewhere it is derived from SECRET_KEY.
RESEARCH_ID_KEY_MIN_LENGTH = 32
_research_key = _read_secret("RESEARCH_ID_KEY")
if _research_key is None and IS_PRODUCTION:
    raise ImproperlyConfigured(
        "RESEARCH_ID_KEY is required when TANDEM_ENV=production "
        "(set RESEARCH_ID_KEY or RESEARCH_ID_KEY_FILE)"
    )
if _research_key is not None and len(_research_key) < RESEARCH_ID_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"RESEARCH_ID_KEY must be at least {RESEARCH_ID_KEY_MIN_LENGTH} characters long"
    )
RESEARCH_ID_KEY: bytes = (
    _research_key.encode("utf-8")
    if _research_key is not None
    else hmac.new(SECRET_KEY.encode("utf-8"), b"tandem.research.id-key", hashlib.sha256).digest()
)

DEBUG = env.bool("DEBUG", default=TANDEM_ENV in ("development", "demo"))
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when TANDEM_ENV=production")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when TANDEM_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "tandem.core",
    "tandem.accounts",
    "tandem.audit",
    "tandem.orgs",
    "tandem.clients",
    "tandem.measures",
    "tandem.practice",
    "tandem.fidelity",
    "tandem.alerts",
    "tandem.dashboards",
    "tandem.reports",
    "tandem.qualitative",
    "tandem.training",
    "tandem.research",
    "tandem.api",
    "tandem.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tandem.core.middleware.RequestIdMiddleware",
    # After WhiteNoise: static files stay cacheable; every page Django makes gets the headers.
    "csp.middleware.CSPMiddleware",
    "tandem.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tandem.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Inside the locale middleware, so that it sees the request's language.
    "tandem.core.middleware.FrenchTypographyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tandem.accounts.middleware.LoginRequiredMiddleware",
    "tandem.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.site.context_processors.navigation",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}")
    }
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
SUPPORTED_DATABASES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")
if DATABASES["default"].get("ENGINE") not in SUPPORTED_DATABASES:
    raise ImproperlyConfigured(
        "DATABASE_URL is malformed or names an unsupported database: "
        "use postgres://USER@HOST:PORT/NAME or sqlite:///PATH"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_name = str(DATABASES["default"]["NAME"])
    if _db_name and _db_name != ":memory:":
        Path(_db_name).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: five failures within the cool-off lock the account, from every address, for 30
# minutes; twenty failures from one address lock that address, for every account (an office may
# share one address). An agency administrator can lift an account's lock on the "Locked
# accounts" page. See tandem.accounts.lockout.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be 1 or more")
if AXES_ADDRESS_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("AXES_ADDRESS_FAILURE_LIMIT must be 1 or more")
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_HANDLER = "tandem.accounts.lockout.AccountAndAddressHandler"
# In this order: the handler reads the account's count, then the address's.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tandem.accounts.lockout.account_key"
AXES_LOCKOUT_CALLABLE = "tandem.accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Reverse proxies in front of Tandem that append the client's address to X-Forwarded-For (and
# set X-Request-ID). The lockout and the self-report rate limit count the address the outermost
# trusted proxy saw (tandem.core.addresses); with 0, the connection's peer. AXES_PROXY_COUNT is
# the earlier name of the same setting.
_proxies = os.environ.get("TRUSTED_PROXY_COUNT", os.environ.get("AXES_PROXY_COUNT", "0")).strip()
if not _proxies.isdigit():
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT must be a number of proxies, 0 or more; got {_proxies!r}"
    )
TRUSTED_PROXY_COUNT = int(_proxies)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "tandem.core.addresses.client_address"

# Sessions expire after 30 minutes idle (SESSION_SAVE_EVERY_REQUEST renews the cookie)
# and 12 hours after login whatever the activity (SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tandem_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Files the application writes (research exports). Never served: MEDIA_URL is not routed, and
# each file is sent by a view that checks who asks.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Rate limits (login, self-report links) count in this cache: production needs one shared by
# every process, so it defaults to a database table (created by `tandem serve`) or CACHE_URL
# (for example redis://127.0.0.1:6379/1).
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="dbcache://tandem_cache" if IS_PRODUCTION else "locmemcache://"
    )
}

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# Requests one API token may make a minute before it is answered 429 (per cache, see CACHES).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Self-report pages (/r/<token>/) send "strict-origin": never their path, which is the token.
SECURE_REFERRER_POLICY = "same-origin"
# Scripts and styles only from Tandem's own static files: no inline script, no inline style
# (htmx is told not to inject its indicator style; charts carry presentation attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tandem@localhost")
# The address people open Tandem at, for links in e-mails sent by background work.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Logs carry request ids and object ids, never personal data: no request bodies, no SQL params.
# Every handler redacts self-report link tokens (/r/<token>/) and logs a refused or missing page
# (4xx) as one line without a traceback. Django's own handlers are replaced: its "django" logger
# writes through the root's console (once, in development too), and the development server's
# access lines through a handler of the same filters.
_LOG_FILTERS = ["client_errors_in_one_line", "redact_link_tokens"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_in_one_line": {"()": "tandem.core.logs.ClientErrorsInOneLine"},
        "redact_link_tokens": {"()": "tandem.core.logs.RedactLinkTokens"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": _LOG_FILTERS,
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": _LOG_FILTERS,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every rendering step at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
