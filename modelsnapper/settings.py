"""ModelSnapper settings: one module, configured through the environment.

Local development works with no environment at all (run `make run`): the
embedded SecantusDB server, local-memory cache, console email, GridFS media and
the offline providers. Production refuses to start without its secrets.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from modelsnapper import embedded
from modelsnapper.env import env_bool, env_float, env_int, env_list, env_required, env_str, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env_required("SECRET_KEY", why="set a long random value when DEBUG is off.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is required when DEBUG is off: a comma-separated list of host names."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "modelsnapper.apps.MongoAdminConfig",
    "modelsnapper.apps.MongoAuthConfig",
    "modelsnapper.apps.MongoContentTypesConfig",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_mongodb_backend",
    "allauth",
    "modelsnapper.apps.MongoAccountConfig",
    "modelsnapper.apps.MongoSocialAccountConfig",
    "allauth.socialaccount.providers.google",
    "modelsnapper.apps.MongoMFAConfig",
    "modelsnapper.apps.MongoUserSessionsConfig",
    "modelsnapper.apps.ModelSnapperConfig",
    "accounts",
    "billing",
    "generation",
    "social",
]

MIGRATION_MODULES = {
    "admin": "modelsnapper.migrations_contrib.admin",
    "auth": "modelsnapper.migrations_contrib.auth",
    "contenttypes": "modelsnapper.migrations_contrib.contenttypes",
    "account": "modelsnapper.migrations_contrib.account",
    "socialaccount": "modelsnapper.migrations_contrib.socialaccount",
    "mfa": "modelsnapper.migrations_contrib.mfa",
    "usersessions": "modelsnapper.migrations_contrib.usersessions",
}

MIDDLEWARE = [
    "modelsnapper.observability.requestid.RequestIdMiddleware",
    "modelsnapper.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Anonymous visitors: the language cookie, then Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in people: their saved language preference wins.
    "accounts.language.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserSessionsMiddleware",
    "accounts.middleware.ActiveUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "modelsnapper.timezones.TimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "modelsnapper.middleware.VaryOnHtmxMiddleware",
]

ROOT_URLCONF = "modelsnapper.urls"
WSGI_APPLICATION = "modelsnapper.wsgi.application"

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
                "modelsnapper.context_processors.site",
                "billing.context_processors.test_mode",
            ],
        },
    },
]

# --- Database: MongoDB through django-mongodb-backend -------------------------
# MONGODB_URI points at a real server (a replica set in production). Without it,
# the embedded SecantusDB server started by `make run` (or `manage.py embedded_db
# start`) is used; its address is read from the state file it writes.
if DEBUG:
    MONGODB_URI = env_str("MONGODB_URI") or embedded.current_uri() or "mongodb://127.0.0.1:27017/"
else:
    # Production never falls back to the embedded development server.
    MONGODB_URI = env_required(
        "MONGODB_URI", why="the connection string of your MongoDB replica set (or mongos) when DEBUG is off."
    )
DATABASES = {
    "default": {
        "ENGINE": "django_mongodb_backend",
        "HOST": MONGODB_URI,
        "NAME": env_str("MONGODB_NAME", "modelsnapper"),
        "OPTIONS": {
            "serverSelectionTimeoutMS": env_int("MONGODB_TIMEOUT_MS", 5000),
        },
    },
}
DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"

# --- Cache (rate limits, sessions list throttling) ------------------------------
REDIS_URL = env_str("REDIS_URL")
# Without Redis the cache is per process: rate limits, "sign out everywhere" and
# unfollows would take effect on one process only. Production needs REDIS_URL;
# SINGLE_PROCESS_CACHE=true is the explicit, single-process exception (the tests).
SINGLE_PROCESS_CACHE = env_bool("SINGLE_PROCESS_CACHE", False)
if not DEBUG and not REDIS_URL and not SINGLE_PROCESS_CACHE:
    raise ImproperlyConfigured(
        "REDIS_URL is required when DEBUG is off: Redis holds the cache, the rate limits and the Celery broker "
        "that every process shares."
    )
# A Redis that accepts connections but never answers (stopped, wedged) must not hold a web
# thread: every Redis client (cache, Celery broker) gives up after these many seconds.
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 1.0)
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 1.0)
REDIS_TIMEOUTS = {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT}
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis restart or blip degrades the cache (misses, fail-open rate limits), never a 500.
            "BACKEND": "modelsnapper.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_TIMEOUTS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in MongoDB, read through the cache (Redis in production).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_SERIALIZER = "modelsnapper.sessions.ObjectIdJSONSerializer"

# --- Celery -------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's MongoDB transport on the same
# server, so a real worker runs with nothing else installed.
CELERY_BROKER_URL = (
    env_str("CELERY_BROKER_URL")
    or REDIS_URL
    or embedded.broker_url(MONGODB_URI, env_str("MONGODB_BROKER_DB", "modelsnapper_broker"))
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Workers log through LOGGING below (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}
# Any number of beats may run; one holds a lease in MongoDB and schedules (modelsnapper.beat).
CELERY_BEAT_SCHEDULER = "modelsnapper.beat.SingleBeatScheduler"
BEAT_LEASE_SECONDS = env_int("BEAT_LEASE_SECONDS", 30)
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {
    "task": "modelsnapper.tasks.beat_heartbeat",
    "schedule": env_int("BEAT_HEARTBEAT_SECONDS", 60),
}
# A task sent through modelsnapper.queue and not done this many seconds later lost its message
# (a Redis restart): the outbox-redrive beat sends it again, at most OUTBOX_MAX_ATTEMPTS sends.
OUTBOX_REDRIVE_AFTER_SECONDS = env_int("OUTBOX_REDRIVE_AFTER_SECONDS", 120)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
CELERY_BEAT_SCHEDULE["outbox-redrive"] = {"task": "modelsnapper.tasks.outbox_redrive", "schedule": 60}
# Redis re-delivers an unacknowledged task (its worker died) after this many seconds.
# A send to a hung Redis times out (REDIS_TIMEOUTS) instead of blocking the request that sends it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    **(REDIS_TIMEOUTS if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else {}),
}

# --- Auth and allauth ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SITE_NAME = "ModelSnapper"

ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# A taken email is a form error at sign-up, as a taken username already is. The
# trade-off is that sign-up reveals whether an address has an account.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# ObjectId keys are not JSON-serialisable inside allauth's HMAC confirmation keys.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# A code that turned over while it was typed still counts (RFC 6238, section 5.2).
MFA_TOTP_TOLERANCE = 1
USERSESSIONS_TRACK_ACTIVITY = True

GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
GOOGLE_SIGNIN_ENABLED = bool(GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "APPS": (
            [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}]
            if GOOGLE_SIGNIN_ENABLED
            else []
        ),
    }
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"

# --- Email --------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ModelSnapper <no-reply@modelsnapper.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic writes here (the release step); WhiteNoise serves it with hashed names.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
# Where media lives is a decision, not a default, in production: s3 or gridfs.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "s3" if AWS_STORAGE_BUCKET_NAME else ("gridfs" if DEBUG else ""))
if MEDIA_STORAGE not in {"s3", "gridfs"}:
    raise ImproperlyConfigured(
        "MEDIA_STORAGE is required when DEBUG is off: set AWS_STORAGE_BUCKET_NAME for S3, or MEDIA_STORAGE=gridfs "
        "to keep media in MongoDB."
    )
if MEDIA_STORAGE == "s3" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket that holds media.")
if MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "modelsnapper.s3storage.MediaS3Storage",  # S3Storage + immutable variants
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "auto"),
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "modelsnapper.storage.GridFSStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Where pages may load media from besides our own origin (the S3 endpoint or CDN).
MEDIA_ORIGINS = env_list("MEDIA_ORIGINS") or (
    [(env_str("AWS_S3_ENDPOINT_URL") or "https://*.amazonaws.com").rstrip("/")]
    if AWS_STORAGE_BUCKET_NAME
    else []
)
# A Google sign-in's profile picture is shown from Google (accounts' {% avatar %}) when its
# address is https on one of these hosts; the policy below lets pages load pictures from them.
AVATAR_REMOTE_HOSTS = env_list("AVATAR_REMOTE_HOSTS", ["lh3.googleusercontent.com"])
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (bar widths, story colours) are allowed; inline scripts are not.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *MEDIA_ORIGINS,
            *(f"https://{host}" for host in AVATAR_REMOTE_HOSTS),
        ],
        "media-src": ["'self'", "blob:", *MEDIA_ORIGINS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Checkout, the billing portal and Google sign-in continue on their own sites after our form.
        "form-action": [
            "'self'",
            "https://checkout.stripe.com",
            "https://billing.stripe.com",
            "https://accounts.google.com",
        ],
    }
}

# Uploads: 50 MB per image (checked in forms); Django's in-memory threshold stays small.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Internationalisation -----------------------------------------------------
# Only languages with a complete catalog in locale/ are offered; each is named in its own
# language, as language switchers do. A saved preference for a language dropped from this
# list falls back to English (accounts.language).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Who the client is behind a load balancer (modelsnapper.ratelimit.client_ip, used
# by our rate limits and allauth's): by default the socket peer.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
X_FRAME_OPTIONS = "DENY"

# --- Observability ------------------------------------------------------------
# One JSON object per line in production (text in development), each with the
# request id that also reaches Celery tasks and the 500 page.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "modelsnapper.observability.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "modelsnapper.observability.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pymongo": {"level": "WARNING"}, "werkzeug": {"level": "WARNING"}},
}
# /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_COLLECTORS = ["generation.metrics.JobOutcomes"]
# Checks apps add to `manage.py preflight` (run by the Procfile before serving).
PREFLIGHT_APP_CHECKS = {"signing": "generation.provenance.keys.preflight_problem"}
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from modelsnapper.observability import sentry as _sentry

    _sentry.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )

# --- Billing ---
from celery.schedules import crontab  # noqa: E402

# Stripe. Without STRIPE_SECRET_KEY the app runs in offline *test mode*: the
# test checkout page builds real Stripe-format events, signs them with the
# local webhook secret and posts them to the real webhook view. With a secret
# key (live or Stripe test mode) the webhook secret is required: production
# never falls back to the local one.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")  # e.g. a local stub in tests
STRIPE_LOCAL_WEBHOOK_SECRET = "whsec_local_development_only"
# The offline checkout grants credits without money. It is on by default only in
# development (DEBUG without a Stripe key); with DEBUG off only when
# BILLING_TEST_CHECKOUT=true says so, and then every page carries a test-mode banner.
BILLING_TEST_CHECKOUT = env_bool("BILLING_TEST_CHECKOUT", DEBUG and not STRIPE_SECRET_KEY)
if BILLING_TEST_CHECKOUT and STRIPE_SECRET_KEY:
    raise ImproperlyConfigured(
        "BILLING_TEST_CHECKOUT cannot be on while STRIPE_SECRET_KEY is set: the test checkout would bypass Stripe."
    )
if not DEBUG and not STRIPE_SECRET_KEY and not BILLING_TEST_CHECKOUT:
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is required when DEBUG is off: Stripe is how money comes in (or set "
        "BILLING_TEST_CHECKOUT=true to run a labelled demo with simulated payments)."
    )
if STRIPE_SECRET_KEY or not DEBUG:
    # The development secret is public: anyone could sign a "paid" event with it.
    STRIPE_WEBHOOK_SECRET = env_required(
        "STRIPE_WEBHOOK_SECRET",
        why="set the signing secret (whsec_…) of your Stripe webhook endpoint; "
        "with DEBUG off the public development secret is never used.",
    )
else:
    STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", STRIPE_LOCAL_WEBHOOK_SECRET)
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
BILLING_CURRENCY = env_str("BILLING_CURRENCY", "usd")
BILLING_FREE_CREDITS = env_int("BILLING_FREE_CREDITS", 10)
BILLING_SIGNUP_COINS = env_int("BILLING_SIGNUP_COINS", 250)
BILLING_DAILY_BONUS_COINS = env_int("BILLING_DAILY_BONUS_COINS", 10)
# The coin economy (issue #14 item 12): what a creator earns when someone remixes their public
# image (once per remixer and image), and what a 24-hour boost into explore's "Boosted" row costs.
COINS_REMIX_EARN = env_int("COINS_REMIX_EARN", 2)
COINS_BOOST_COST = env_int("COINS_BOOST_COST", 50)
COINS_BOOST_HOURS = env_int("COINS_BOOST_HOURS", 24)
BILLING_RESET_BATCH_SIZE = env_int("BILLING_RESET_BATCH_SIZE", 500)
BILLING_RESET_WORKERS = env_int("BILLING_RESET_WORKERS", 4)
# Threads of one process take turns on a hot wallet instead of racing into
# write conflicts (correctness never depends on it).
BILLING_WALLET_LOCKS = env_bool("BILLING_WALLET_LOCKS", True)
CELERY_BEAT_SCHEDULE["reset-quotas"] = {
    "task": "billing.tasks.reset_quotas",
    # Daily at 00:05 UTC; the task is idempotent, so an extra run is harmless.
    "schedule": crontab(minute=5, hour=0),
}

# --- Generation ---
# Which provider runs jobs when a catalog model does not name one: "local" (offline,
# renders with Pillow) or "replicate" (needs REPLICATE_API_TOKEN).
GENERATION_PROVIDER = env_str("GENERATION_PROVIDER", "local")
if GENERATION_PROVIDER not in ("local", "replicate"):
    raise ImproperlyConfigured("GENERATION_PROVIDER must be 'local' or 'replicate'.")
REPLICATE_API_TOKEN = env_str("REPLICATE_API_TOKEN")
REPLICATE_BASE_URL = env_str("REPLICATE_BASE_URL", "https://api.replicate.com")
if (GENERATION_PROVIDER == "replicate" or REPLICATE_API_TOKEN) and not DEBUG:
    REPLICATE_WEBHOOK_SECRET = env_required(
        "REPLICATE_WEBHOOK_SECRET", why="the whsec_… signing secret of your Replicate webhooks."
    )
elif DEBUG:
    REPLICATE_WEBHOOK_SECRET = env_str("REPLICATE_WEBHOOK_SECRET", "whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seQ==")
else:
    # No Replicate configured: a random secret, so the public development one never verifies.
    import base64 as _base64
    import secrets as _secrets

    REPLICATE_WEBHOOK_SECRET = env_str(
        "REPLICATE_WEBHOOK_SECRET", "whsec_" + _base64.b64encode(_secrets.token_bytes(32)).decode()
    )
REPLICATE_WEBHOOK_TOLERANCE = env_int("REPLICATE_WEBHOOK_TOLERANCE", 300)
# The Replicate account that owns trained personal models (destination owner/ms-<user id>).
REPLICATE_OWNER = env_str("REPLICATE_OWNER")
# Outputs are fetched over https from these hosts (and their subdomains) only.
GENERATION_DELIVERY_HOSTS = env_list("GENERATION_DELIVERY_HOSTS", ["replicate.delivery"])
GENERATION_OUTPUT_MAX_BYTES = env_int("GENERATION_OUTPUT_MAX_BYTES", 50 * 1024 * 1024)
GENERATION_DOWNLOAD_TIMEOUT = env_int("GENERATION_DOWNLOAD_TIMEOUT", 30)
GENERATION_IMAGE_DEADLINE_SECONDS = env_int("GENERATION_IMAGE_DEADLINE_SECONDS", 15 * 60)
GENERATION_TRAINING_DEADLINE_SECONDS = env_int("GENERATION_TRAINING_DEADLINE_SECONDS", 2 * 60 * 60)
# The poller asks the provider about jobs with no news for this long.
GENERATION_POLL_AFTER_SECONDS = env_int("GENERATION_POLL_AFTER_SECONDS", 120)
# A worker's claim on a job (or on storing its outputs) may be taken over after this long.
GENERATION_CLAIM_LEASE_SECONDS = env_int("GENERATION_CLAIM_LEASE_SECONDS", 120)
GENERATION_RATE_LIMIT = env_int("GENERATION_RATE_LIMIT", 20)
GENERATION_RATE_WINDOW = env_int("GENERATION_RATE_WINDOW", 60)
GENERATION_MAX_IN_FLIGHT = env_int("GENERATION_MAX_IN_FLIGHT", 4)
# An HD image costs this many times a standard one (generation.pricing.job_cost).
GENERATION_HD_MULTIPLIER = env_int("GENERATION_HD_MULTIPLIER", 2)
GENERATION_TRAINING_COST = env_int("GENERATION_TRAINING_COST", 50)
# How many personal models one person may keep (each trained from its own photos).
GENERATION_PERSONAL_MODELS_MAX = env_int("GENERATION_PERSONAL_MODELS_MAX", 5)
CELERY_BEAT_SCHEDULE["generation-poll"] = {"task": "generation.tasks.poll_providers", "schedule": 60}
CELERY_BEAT_SCHEDULE["generation-sweep"] = {"task": "generation.tasks.sweep_stalled_jobs", "schedule": 60}
# A deleted image disappears at once; its files (original, variants, posts' copies) leave
# storage this many days later (hourly beat, or manage.py purge_deleted_media).
GENERATION_DELETE_GRACE_DAYS = env_int("GENERATION_DELETE_GRACE_DAYS", 7)
CELERY_BEAT_SCHEDULE["generation-purge-deleted"] = {
    "task": "generation.tasks.purge_deleted_media",
    "schedule": 3600,
}
# Nightly cleanup (generation.cleanup, or manage.py cleanup): failed generations' leftover files
# after N days, unreferenced media files older than N hours, paid subscriptions N days past
# their period end with no renewal, read notifications past their TTL.
CLEANUP_FAILED_AFTER_DAYS = env_int("CLEANUP_FAILED_AFTER_DAYS", 7)
CLEANUP_ORPHAN_GRACE_HOURS = env_int("CLEANUP_ORPHAN_GRACE_HOURS", 24)
CLEANUP_SUBSCRIPTION_GRACE_DAYS = env_int("CLEANUP_SUBSCRIPTION_GRACE_DAYS", 3)
CELERY_BEAT_SCHEDULE["maintenance-cleanup"] = {
    "task": "generation.tasks.maintenance_cleanup",
    "schedule": crontab(minute=30, hour=3),  # nightly, 03:30 UTC
}
# The gallery's bulk bar: how many images one action may select, and one zip may hold.
GENERATION_BULK_MAX_IMAGES = env_int("GENERATION_BULK_MAX_IMAGES", 200)
GENERATION_ZIP_MAX_IMAGES = env_int("GENERATION_ZIP_MAX_IMAGES", 50)

# --- Content Credentials (C2PA, generation/provenance) ---
# Every output is signed. Production: the certificate chain and key (PEM values or paths).
# Without them, C2PA_DEVELOPMENT_SIGNER (on with DEBUG) makes a development CA under the
# data directory; the pages then say "development certificate".
C2PA_ENABLED = env_bool("C2PA_ENABLED", True)
C2PA_SIGNING_CERT_PEM = env_str("C2PA_SIGNING_CERT_PEM")
C2PA_SIGNING_KEY_PEM = env_str("C2PA_SIGNING_KEY_PEM")
C2PA_DEVELOPMENT_SIGNER = env_bool("C2PA_DEVELOPMENT_SIGNER", DEBUG)
C2PA_DEVELOPMENT_DIR = env_str("C2PA_DEVELOPMENT_DIR", str(embedded.DATA_DIR / "c2pa"))
if C2PA_ENABLED and not (C2PA_SIGNING_CERT_PEM and C2PA_SIGNING_KEY_PEM) and not C2PA_DEVELOPMENT_SIGNER:
    raise ImproperlyConfigured(
        "C2PA_SIGNING_CERT_PEM and C2PA_SIGNING_KEY_PEM are required when DEBUG is off: every image is signed "
        "with Content Credentials (set C2PA_ENABLED=false to run without them)."
    )

# --- Social ---
# Words refused in captions, titles and comments (whole words, case-insensitive).
SOCIAL_BLOCKLIST_PATH = env_str("SOCIAL_BLOCKLIST_PATH", str(BASE_DIR / "social" / "blocklist.txt"))
SOCIAL_STORY_LIFETIME_SECONDS = env_int("SOCIAL_STORY_LIFETIME_SECONDS", 24 * 60 * 60)
# Expired stories' media files leave storage within ten minutes.
CELERY_BEAT_SCHEDULE["social-story-media-purge"] = {
    "task": "social.tasks.purge_expired_story_media",
    "schedule": 600,
}
# Nightly, every social counter is put back to its true count (manage.py social_recount).
# Notification digests (social.digests): daily ones each morning, weekly ones on the first run
# of each ISO week; a second run in the same period sends nothing.
CELERY_BEAT_SCHEDULE["social-email-digests"] = {
    "task": "social.tasks.send_email_digests",
    "schedule": crontab(minute=0, hour=7),
}
CELERY_BEAT_SCHEDULE["social-recount"] = {
    "task": "social.tasks.recount_counters",
    "schedule": crontab(minute=30, hour=3),
}
SOCIAL_VIDEO_MAX_BYTES = env_int("SOCIAL_VIDEO_MAX_BYTES", 100 * 1024 * 1024)
SOCIAL_SHORT_MAX_SECONDS = env_int("SOCIAL_SHORT_MAX_SECONDS", 60)
# Query-shape adjustment for SecantusDB (modelsnapper/queryshape.py); results are identical either way.
QUERY_MERGE_AND = env_bool("QUERY_MERGE_AND", True)
# "Posts near here" asks the 2dsphere index when the server has one (social.geo); false forces
# the latitude/longitude bounding box instead. Results are identical either way.
SOCIAL_GEO_INDEX = env_bool("SOCIAL_GEO_INDEX", True)

# --- Marketplace ---
# A human model's royalty stays pending (refundable) this long after the generation, then is payable.
MARKETPLACE_ROYALTY_WINDOW_DAYS = env_int("MARKETPLACE_ROYALTY_WINDOW_DAYS", 14)
MARKETPLACE_ROYALTY_CENTS = env_int("MARKETPLACE_ROYALTY_CENTS", 100)
