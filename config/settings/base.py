"""Settings shared by every environment. Everything an operator may change is read from
the environment; each variable is documented in README.md ("Configuration")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, persistent_secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("SHIJI_VAR_DIR", "var")).resolve()

DEBUG = env_bool("SHIJI_DEBUG", False)
HTTPS = env_bool("SHIJI_HTTPS", False)
SECRET_KEY = env_str("SHIJI_SECRET_KEY") or persistent_secret(VAR_DIR / "secret_key")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *env_list("SHIJI_ALLOWED_HOSTS", [])]
CSRF_TRUSTED_ORIGINS = env_list("SHIJI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "channels",
    "huey.contrib.djhuey",
    "shiji.core",
    "shiji.accounts",
    "shiji.identity",
    "shiji.fx",
    "shiji.catalog",
    "shiji.search",
    "shiji.risk",
    "shiji.ledger",
    "shiji.orders",
    "shiji.payments",
    "shiji.notifications",
    "shiji.customs",
    "shiji.shipping",
    "shiji.messaging",
    "shiji.disputes",
    "shiji.reputation",
    "shiji.moderation",
    "shiji.demo",
    "shiji.web",
    "shiji.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shiji.web.security.ContentSecurityPolicyMiddleware",  # every response, static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shiji.web.security.SignedInNoStoreMiddleware",
    "shiji.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.media",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shiji.web.context_processors.shiji",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shiji.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("SHIJI_CONN_MAX_AGE", 600), conn_health_checks=True
    )
}
# HTTP requests one `shiji serve` (ASGI) process runs at once, each with its own database
# connection; more wait their turn (shiji.core.http_concurrency). Keep workers × this (plus the
# job worker's threads) under PostgreSQL's max_connections.
SHIJI_HTTP_CONCURRENCY = env_int("SHIJI_HTTP_CONCURRENCY", 8)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # concurrent writers queue on busy_timeout instead of failing on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, job queue -------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("SHIJI_CACHE_PREFIX", "shiji")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:asgi"},
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("SHIJI_QUEUE_NAME", "shiji"),
        "immediate": False,
        "connection": {"url": REDIS_URL},
        "consumer": {"workers": env_int("SHIJI_WORKER_THREADS", 4), "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("SHIJI_QUEUE_NAME", "shiji"),
        "immediate": False,
        "filename": str(VAR_DIR / "queue.sqlite3"),
        "consumer": {"workers": env_int("SHIJI_WORKER_THREADS", 4), "worker_type": "thread"},
    }

# --- Accounts and authentication ------------------------------------------------------------
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Brute force: lock an (account, IP) pair after repeated failures, for a finite cool-off.
AXES_FAILURE_LIMIT = env_int("SHIJI_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SHIJI_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the key services pass to authenticate()
AXES_LOCKOUT_CALLABLE = "shiji.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

SHIJI_TOKEN_TTL_DAYS = env_int("SHIJI_TOKEN_TTL_DAYS", 90)
SHIJI_RELIABLE_SCORE = env_int("SHIJI_RELIABLE_SCORE", 75)
SHIJI_OPERATOR_COUNTRY = env_str("SHIJI_OPERATOR_COUNTRY", "JP")
SHIJI_RATE_LIMITS = env_str("SHIJI_RATE_LIMITS", "on").lower() != "off"

# Verification levels (PRODUCT.md §1); amounts in US cents.
SHIJI_UNVERIFIED_SALES_LIMIT_USD_CENTS = env_int("SHIJI_UNVERIFIED_SALES_LIMIT_USD_CENTS", 30000)
SHIJI_EU_REPORTING_SALES = 30
SHIJI_EU_REPORTING_EUR_CENTS = 200000
SHIJI_US_REPORTING_USD_CENTS = 2000000
SHIJI_US_REPORTING_TRANSACTIONS = 200

# --- Uploads ---------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("SHIJI_MEDIA_ROOT") or VAR_DIR / "media").resolve()
MEDIA_URL = "/media/"
PRIVATE_ROOT = Path(env_str("SHIJI_PRIVATE_ROOT") or VAR_DIR / "private").resolve()
SHIJI_IMAGE_MAX_BYTES = env_int("SHIJI_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
SHIJI_IMAGE_MAX_PIXELS = env_int("SHIJI_IMAGE_MAX_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Identity documents and other private files: outside MEDIA_ROOT, never served publicly.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shiji" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# Our own English date formats (24-hour clock; see shiji/formats/en/formats.py).
FORMAT_MODULE_PATH = ["shiji.formats"]
LANGUAGE_COOKIE_NAME = "shiji_language"  # "__Host-shiji_language" with SHIJI_HTTPS=1 (Security below)
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "shiji.web.views.csrf_failure"

# Cross rates go through this currency when no direct rate is known.
SHIJI_FX_PIVOT = env_str("SHIJI_FX_PIVOT", "USD")
SHIJI_CURRENCIES = env_list("SHIJI_CURRENCIES", ["CNY", "JPY", "KRW", "USD", "EUR", "GBP", "HKD", "TWD", "SGD", "THB"])

# Conversion margin (percent) added to the mid rate when a buyer pays in another currency;
# it is platform revenue, recognised when the order completes.
SHIJI_FX_MARGIN_PERCENT = env_str("SHIJI_FX_MARGIN_PERCENT", "1.0")
# How long a checkout quote holds its FX rate.
SHIJI_QUOTE_TTL_SECONDS = env_int("SHIJI_QUOTE_TTL_SECONDS", 15 * 60)

# --- Orders ---------------------------------------------------------------------------------------
# A delivered order completes by itself this many days after delivery unless disputed.
SHIJI_AUTO_COMPLETE_DAYS = env_int("SHIJI_AUTO_COMPLETE_DAYS", 5)
# A shipped parcel with no tracking update for this many days goes to staff review.
SHIJI_TRACKING_STALE_DAYS = env_int("SHIJI_TRACKING_STALE_DAYS", 30)

# --- Trust: disputes, reviews -------------------------------------------------------------------
# The seller answers a dispute within this many days, or it is decided for the buyer.
SHIJI_DISPUTE_ANSWER_DAYS = env_int("SHIJI_DISPUTE_ANSWER_DAYS", 3)
# Disputes other than "not received" can be opened until this many days after delivery.
SHIJI_DISPUTE_WINDOW_DAYS = env_int("SHIJI_DISPUTE_WINDOW_DAYS", 5)
# "Not received" opens once the carrier's transit estimate plus this many days has passed.
SHIJI_DISPUTE_NOT_RECEIVED_GRACE_DAYS = env_int("SHIJI_DISPUTE_NOT_RECEIVED_GRACE_DAYS", 10)
# The seller confirms a returned parcel within this many days of its shipping, or the refund goes.
SHIJI_DISPUTE_RETURN_CONFIRM_DAYS = env_int("SHIJI_DISPUTE_RETURN_CONFIRM_DAYS", 10)
# The arbitrators' target for deciding an escalated dispute (orders their queue).
SHIJI_DISPUTE_DECISION_DAYS = env_int("SHIJI_DISPUTE_DECISION_DAYS", 5)

# --- Money: fees, payouts, idempotency --------------------------------------------------------
# Buyer-protection fee and seller commission: percent of the item price plus a fixed part per
# currency ("JPY:0,CNY:0"); per-category overrides are data (admin). Reliable sellers
# (service score >= SHIJI_RELIABLE_SCORE) pay the reduced commission.
SHIJI_BUYER_FEE_PERCENT = env_str("SHIJI_BUYER_FEE_PERCENT", "3.0")
SHIJI_BUYER_FEE_FIXED = env_str("SHIJI_BUYER_FEE_FIXED", "")
SHIJI_COMMISSION_PERCENT = env_str("SHIJI_COMMISSION_PERCENT", "8.0")
SHIJI_COMMISSION_RELIABLE_PERCENT = env_str("SHIJI_COMMISSION_RELIABLE_PERCENT", "6.0")
SHIJI_COMMISSION_FIXED = env_str("SHIJI_COMMISSION_FIXED", "")
# Smallest payout per currency ("JPY:1000,CNY:50,USD:10"); currencies not named: 10 major units.
SHIJI_PAYOUT_MINIMUMS = env_str("SHIJI_PAYOUT_MINIMUMS", "JPY:1000,KRW:10000,CNY:50,TWD:300,THB:300")
# Idempotency keys are kept at least this long (API.md: >= 24 h), then purged hourly.
SHIJI_IDEMPOTENCY_TTL_HOURS = env_int("SHIJI_IDEMPOTENCY_TTL_HOURS", 48)

# --- Payments and carriers (sandbox) ---------------------------------------------------------
SHIJI_SANDBOX = env_bool("SHIJI_SANDBOX", DEBUG)
SHIJI_SANDBOX_PAYMENT_SECRET = env_str("SHIJI_SANDBOX_PAYMENT_SECRET") or persistent_secret(
    VAR_DIR / "sandbox_payment_secret"
)
SHIJI_SANDBOX_CARRIER_SECRET = env_str("SHIJI_SANDBOX_CARRIER_SECRET") or persistent_secret(
    VAR_DIR / "sandbox_carrier_secret"
)
# The provider new payments go through ("sandbox" is built in and needs SHIJI_SANDBOX=1).
SHIJI_PAYMENT_PROVIDER = env_str("SHIJI_PAYMENT_PROVIDER", "sandbox")
# Where the sandbox provider delivers its signed callbacks. Empty: straight into this process's
# webhook handler from the job queue; a URL (e.g. http://127.0.0.1:8000): over HTTP.
SHIJI_SANDBOX_CALLBACK_URL = env_str("SHIJI_SANDBOX_CALLBACK_URL", "").rstrip("/")
if SHIJI_SANDBOX_CALLBACK_URL and not SHIJI_SANDBOX_CALLBACK_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SHIJI_SANDBOX_CALLBACK_URL must be an http:// or https:// URL")
# Seconds between the sandbox's attempts to deliver a callback our webhook did not accept.
SHIJI_SANDBOX_CALLBACK_RETRY_SECONDS = env_int("SHIJI_SANDBOX_CALLBACK_RETRY_SECONDS", 5)
# The sandbox's books on a database connection of their own (autocommit, outside our
# transactions), as a real provider keeps them on its own servers: what the provider did then
# survives a crash of ours before commit (the crash harness needs this). PostgreSQL only: on
# SQLite the second connection would wait for the write lock our own transaction holds.
if env_bool("SHIJI_SANDBOX_OWN_CONNECTION", False):
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("SHIJI_SANDBOX_OWN_CONNECTION needs PostgreSQL (DATABASE_URL)")
    DATABASES["sandbox"] = {**DATABASES["default"]}

# --- E-mail ----------------------------------------------------------------------------------
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("SHIJI_EMAIL_BACKEND", "console")
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"SHIJI_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)}")
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("SHIJI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SHIJI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SHIJI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("SHIJI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SHIJI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SHIJI_FROM_EMAIL", "Shiji <no-reply@shiji.localhost>")
SHIJI_SITE_URL = env_str("SHIJI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security (docs/security.md) ---------------------------------------------------------------
# The Content-Security-Policy is shiji.web.security (middleware above); user files get their
# headers from shiji.core.downloads.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Pages hand the token to htmx in <body hx-headers>, so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    # "__Host-": the browser keeps these only if Secure, Path=/ and without Domain, so neither a
    # sibling subdomain nor a plain-http page can set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-shiji_language"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("SHIJI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SHIJI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
