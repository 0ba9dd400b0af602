"""Settings for zjai, read from the environment (12-factor, via django-environ).

Every variable has a safe default: DEBUG is off unless set, and then SECRET_KEY must be a
strong key. `make run` sets DEBUG=1, which with the other defaults (embedded SQLite, eager
Celery, a development key) works on a fresh machine. Production sets SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and CELERY_BROKER_URL (see README and docs/operations.md).
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless the environment turns it on: a deployment that forgets DEBUG runs as production.
# `make run` (the README's run command) and the test suite (tests/settings.py) set DEBUG=1.
DEBUG = env.bool("DEBUG", default=False)
_DEVELOPMENT_KEY = "django-insecure-development-only-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=_DEVELOPMENT_KEY)


def _is_weak_key(key: str) -> bool:
    """Django's own test of a key (security.W009: short, few distinct characters, or a
    generated development key), and any key still saying it is a placeholder to change, like
    the one of deploy/zjai.env.example."""
    placeholder = any(word in key.lower() for word in ("change-me", "change_me", "changeme"))
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-") or placeholder


if not DEBUG and _is_weak_key(SECRET_KEY):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of 50 characters or more. "
        "(For development only: DEBUG=1, as `make run` sets it.)"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Security (docs/operations.md). Strict by default once DEBUG is off. -----------------------
# Behind nginx, which ends TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# /healthz is asked over plain HTTP by the proxy on its private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from our own
# origin, nothing inline: no page, the admin and the Swagger UI included, needs it
# (tests/browser/test_csp.py loads them in Chromium and watches for violations).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# With Secure cookies, the __Host- prefix also pins them to this host and path: a sibling
# subdomain cannot set or shadow them (OWASP ASVS 3.4.4).
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Requests larger than this are refused before a view sees them (evidence files are 10 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser (saved through accounts.services) is found
    # first.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "zjai.apps.AxesConfig",  # django-axes, with a translated name (zjai/apps.py)
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "plans",
    "notifications",
    "registers",
    "targets",
    "taskreports",
    "enterprises",
    "projects",
    "demo",
    "reports",
    "portfolio",
    "search",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session and everything that reads the database, so every answer carries
    # the policy and the frame rule, the 503 made when the session cannot be read included.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zjai.requestid.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zjai.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every browser page needs a signed-in user with a role (the API answers 401 itself).
    "accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The database unreachable: a 503 page or API error instead of a 500 (zjai/faults.py).
    "zjai.faults.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zjai.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plans.context_processors.plan_switcher",
                "notifications.context_processors.unread_notices",
                "reports.context_processors.navigation",
                "publishing.context_processors.navigation",
            ],
            "libraries": {"zjai": "zjai.templatetags.zjai"},
        },
    },
]

WSGI_APPLICATION = "zjai.wsgi.application"

# SQLite in the project folder unless DATABASE_URL names another database
# (postgres://user@127.0.0.1:5432/zjai in production and in the test suite).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection (CONN_MAX_AGE > 0) the database has dropped meanwhile (a restart, a
# failover, an idle timeout) is tested before a request reuses it and replaced, instead of
# failing that request with a 503 (tests/ops/test_stale_connections.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# django-axes watches sign-ins: the first backend refuses a locked-out user name and address
# before the password is checked (accounts.backends explains the one exception).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Locked: a user name from one client address, so nobody locks another person out from
# elsewhere. The address is the client's, not the proxy's: X-Forwarded-For is believed only when
# it comes from one of TRUSTED_PROXIES (zjai/clientip.py; docs/operations.md, "Behind nginx").
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "zjai.clientip.client_address"
# Addresses or networks (10.0.0.0/8) of the proxies in front of gunicorn: the documented nginx
# on the same host by default. Add a proxy's private address when it runs on another host.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])


def _check_networks(name: str, values: list[str]) -> None:
    import ipaddress

    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/8)"
            ) from None


_check_networks("TRUSTED_PROXIES", TRUSTED_PROXIES)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Sessions end after this many seconds without a request (each request renews the cookie).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Numbers with the language's grouping (150,000); zjai/formats adjusts Chinese to match.
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["zjai.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names in production; STATIC_COMPRESS=0 skips the gzip/brotli copies (slow to
        # build; the process tests turn it off).
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_COMPRESS", default=True)
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=""):
    # smtp://user:password@host:port — only the connection; EMAIL_BACKEND chooses the backend.
    globals().update({k: v for k, v in env.email_url("EMAIL_URL").items() if k != "EMAIL_BACKEND"})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="zjai@localhost")

# --- Celery --------------------------------------------------------------------------------
# No broker configured → tasks run in-process (eager), which is what the embedded default and a
# laptop want. With CELERY_BROKER_URL=redis://… a worker and beat do the work.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
# Eager tasks still borrow a producer (for its serializer): with no URL at all Celery would name
# amqp://localhost and warn "No hostname was supplied"; the in-memory transport says nothing.
CELERY_BROKER_WRITE_URL = "memory://localhost/" if CELERY_TASK_ALWAYS_EAGER else None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A write must never hang because the broker is down: give up publishing quickly.
# The recompute tasks acknowledge late (targets.tasks): a message stays in Redis, unacknowledged,
# until its task has finished. If the worker that took it dies (SIGKILL, OOM, host lost), Redis
# gives the message to a worker again once it has been unacknowledged for visibility_timeout
# seconds. It must be longer than the longest task *plus* the longest retry countdown (tasks
# retry with a backoff of up to 300 s, and a countdown message also waits unacknowledged),
# or a slow task would run twice: harmless, since the tasks are idempotent, but wasted work.
# 900 s (15 min) covers both with room to spare; kombu's own default is an hour.
# docs/operations.md, "Faults and recovery".
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    # Statuses change with the calendar even without new data.
    "recompute-all-nightly": {
        "task": "targets.tasks.recompute_all",
        "schedule": crontab(hour=1, minute=30),
    },
    # Catch up on recomputes that could not be queued when a write happened.
    "sweep-dirty-targets": {
        "task": "targets.tasks.sweep_dirty_targets",
        "schedule": 60.0,
    },
    # Targets whose closing day (deadline + ZJAI_TARGET_CLOSING_DAYS) has ended get their
    # frozen verdict; the nightly recompute closes them too, before it computes.
    "close-due-targets": {
        "task": "targets.tasks.close_due_targets",
        "schedule": crontab(hour=1, minute=0),
    },
    "stale-figure-reminders": {
        "task": "targets.tasks.send_stale_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Evidence files left behind by a rolled-back save or a replaced draft file.
    "clean-orphaned-evidence": {
        "task": "targets.tasks.clean_orphaned_evidence",
        "schedule": crontab(hour=3, minute=15),
    },
    # Task reports due within ZJAI_TASK_REPORT_DUE_SOON_DAYS, and those missing once due.
    "task-report-reminders": {
        "task": "taskreports.tasks.send_task_report_reminders",
        "schedule": crontab(hour=8, minute=10),
    },
}

# --- The audit trail's anchor (verify_audit_log --export-head; docs/audit.md) ------------------
# The key that signs an exported chain head. Unset, one derived from SECRET_KEY signs it; set
# a key of its own where the files are checked by someone who must not hold SECRET_KEY.
AUDIT_ANCHOR_KEY = env("AUDIT_ANCHOR_KEY", default="")

# --- Idempotency-Key of API writes (zjai/api/idempotency.py, docs/api.md) ----------------------
# The store of the answers kept per user and key: database rows written in the write's own
# transaction (the cache may be down). Their nightly purge; a user's own also go on each write.
ZJAI_API_IDEMPOTENCY_STORE = "accounts.api.idempotency.DatabaseIdempotencyStore"
CELERY_BEAT_SCHEDULE["purge-idempotency-keys"] = {
    "task": "accounts.tasks.purge_idempotency_keys",
    "schedule": crontab(hour=3, minute=45),
}

# django-filter: a filter's empty choice means "any value" and says so ("All", 全部), not
# "---------" (zjai/filters.py; yes/no filters get AnyYesNoSelect on the list pages).
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- REST framework (the API, issue 5; see zjai/api/ and docs/api.md) -------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Authorization: Token <key> (accounts.ApiToken, logged per use), then the browser's
        # session with CSRF enforced on writes.
        "accounts.api.authentication.ApiTokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "zjai.api.permissions.HasRole",
        "zjai.api.permissions.AuditorsReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "zjai.api.filters.StrictFilterBackend",
        "zjai.api.filters.StrictSearchFilter",
        "zjai.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "zjai.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    # JSON only; a body nested too deeply is a 400, not a 500 (zjai/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["zjai.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "zjai.api.throttles.UserThrottle",
        "zjai.api.throttles.WriteThrottle",
    ],
    # Per user (all of a user's tokens together); changes are also held to the write rate.
    "DEFAULT_THROTTLE_RATES": {
        "user": env("ZJAI_API_RATE", default="1200/minute"),
        "write": env("ZJAI_API_WRITE_RATE", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "zjai.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "zjai.api.schema.ApiAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zjai API",
    "DESCRIPTION": (
        "Targets, figures and registers of the Zhejiang AI Action Plan (2019–2022). "
        "Authenticate with `Authorization: Token <key>`; change a figure or a register entry "
        "with `If-Match: <its ETag>`. Every error has the same JSON shape. Guide: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["zjai.api.permissions.HasRole"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zjai.api.schema.nullable_refs",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CityEnum": "zjai.choices.City",
        "SectorEnum": "zjai.choices.Sector",
        "TierEnum": "enterprises.choices.Tier",
        "EnterpriseStatusEnum": "enterprises.choices.EnterpriseStatus",
        "ProjectKindEnum": "projects.choices.ProjectKind",
        "ProjectLevelEnum": "projects.choices.ProjectLevel",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "ProgressStatusEnum": "targets.choices.ProgressStatus",
        "MeasurementStateEnum": "targets.choices.MeasurementState",
        "UnitKindEnum": "plans.choices.UnitKind",
        "ItemKindEnum": "plans.choices.ItemKind",
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "TaskStatusEnum": "taskreports.choices.TaskStatus",
        "ReportStateEnum": "taskreports.choices.ReportState",
        "NoticeStateEnum": "taskreports.choices.NoticeState",
    },
}
# The public portal and open data (docs/open-data.md): how long a CDN or a browser may keep a
# public page or download, the requests one address may make, and the licence the data are
# published under (named on every public page and in datapackage.json).
PUBLIC_CACHE_SECONDS = env.int("ZJAI_PUBLIC_CACHE_SECONDS", default=300)
PUBLIC_RATE = env("ZJAI_PUBLIC_RATE", default="600/minute") or None
# How long a public answer once made stays in the cache under its ETag (publishing/http.py).
PUBLIC_ANSWER_SECONDS = env.int("ZJAI_PUBLIC_ANSWER_SECONDS", default=3600)
PUBLIC_LICENSE = {
    "name": env("ZJAI_PUBLIC_LICENSE_NAME", default="CC-BY-4.0"),
    "title": env("ZJAI_PUBLIC_LICENSE_TITLE", default="Creative Commons Attribution 4.0"),
    "path": env("ZJAI_PUBLIC_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/"),
}
# Serves /api/bench/constant/, the bare view bench/api_bench.py compares the API with.
ZJAI_BENCH_VIEWS = env.bool("ZJAI_BENCH_VIEWS", default=False)
# The API's throttle counters and cached list pages (zjai/api). One per process by default;
# CACHE_URL=redis://127.0.0.1:6379/1 shares them between gunicorn workers. Nothing in it is
# needed to answer a request: a Redis cache that cannot be reached is worked around, never a
# 500 (zjai/cache.py; docs/operations.md, "What works when a part is down").
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "zjai.cache.FailSoftRedisCache"

# LOG_FORMAT=json writes one JSON object per line (for a log shipper); plain text otherwise.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler (DEBUG only) would print each record a second time
        # beside the root's (a 403's traceback twice): its records go through the root alone.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # django-axes announces itself at every start; failed sign-ins still log as warnings.
        "axes.apps": {"level": "WARNING"},
        # WeasyPrint (the PDF report) logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# How old the newest approved figure of a reported target may be before it is stale.
ZJAI_REPORTING_INTERVAL_DAYS = env.int("ZJAI_REPORTING_INTERVAL_DAYS", default=90)
# Days after its deadline that a target closes (at the end of the day, Asia/Shanghai): its
# verdict is then written once and frozen; until then a miss is provisional (late figures).
ZJAI_TARGET_CLOSING_DAYS = env.int("ZJAI_TARGET_CLOSING_DAYS", default=90)
# Task reports: remind a unit this many days before its report is due (taskreports.tasks).
ZJAI_TASK_REPORT_DUE_SOON_DAYS = env.int("ZJAI_TASK_REPORT_DUE_SOON_DAYS", default=7)
# Evidence files of reported figures: at most this size, and only these kinds (checked by content).
ZJAI_EVIDENCE_MAX_BYTES = env.int("ZJAI_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Bulk import of register entries: at most this many rows and bytes per file.
ZJAI_IMPORT_MAX_ROWS = env.int("ZJAI_IMPORT_MAX_ROWS", default=5000)
ZJAI_IMPORT_MAX_BYTES = env.int("ZJAI_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Where load_action_plan looks when --file is not given.
ZJAI_DEFAULT_PLAN_FILE = BASE_DIR / "plans" / "data" / "zj-ai-2019-2022.yaml"

# --- Register imports: what one file may hold (registers/imports.py; docs/operations.md,
# "Register imports"). ZJAI_IMPORT_MAX_ROWS and ZJAI_IMPORT_MAX_BYTES are above. Every limit is
# checked before or while the file is read, never after: a small file can declare a huge sheet.
# Named columns of the first row (the registers have about fifteen).
ZJAI_IMPORT_MAX_COLUMNS = env.int("ZJAI_IMPORT_MAX_COLUMNS", default=50)
# Characters of one cell (the longest field, a project's name, holds 300).
ZJAI_IMPORT_MAX_CELL_CHARS = env.int("ZJAI_IMPORT_MAX_CELL_CHARS", default=1000)
# What an XLSX file (a zip) may unpack to, all its parts together: a zip bomb is refused
# before the workbook is opened.
ZJAI_IMPORT_MAX_UNPACKED_BYTES = env.int("ZJAI_IMPORT_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
# Files of more rows than this, or XLSX files that unpack to more bytes than this, are checked
# and imported by a Celery job, the page showing its progress, instead of within the request
# (each row costs about 15 ms: 200 rows stay within a few seconds).
ZJAI_IMPORT_BACKGROUND_ROWS = env.int("ZJAI_IMPORT_BACKGROUND_ROWS", default=200)
ZJAI_IMPORT_BACKGROUND_BYTES = env.int("ZJAI_IMPORT_BACKGROUND_BYTES", default=1024 * 1024)
# The job's time limits in seconds: at the soft one it stops and says so, nothing imported; at
# the hard one the worker kills it. Both below CELERY_VISIBILITY_TIMEOUT.
ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT = env.int("ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT", default=240)
ZJAI_IMPORT_JOB_TIME_LIMIT = env.int("ZJAI_IMPORT_JOB_TIME_LIMIT", default=300)

# --- Notifications: inbox, e-mail, webhooks (docs/notifications.md) --------------------------
# The address of this site, for the links in e-mails and webhook payloads (no trailing slash).
ZJAI_SITE_URL = env("ZJAI_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Days before a reported target's next figure (or a task report) is due that a notice says so.
ZJAI_DUE_SOON_DAYS = env.int("ZJAI_DUE_SOON_DAYS", default=14)
# Days a submitted figure (or task report) may wait for review before its reviewers are told.
ZJAI_REVIEW_PENDING_DAYS = env.int("ZJAI_REVIEW_PENDING_DAYS", default=7)
# Tries of one notice's e-mail (the first at once, the rest by the sweep) before it is failed.
ZJAI_EMAIL_MAX_ATTEMPTS = env.int("ZJAI_EMAIL_MAX_ATTEMPTS", default=5)
# Webhooks: tries per delivery, seconds to wait for the receiver, and the first retry's delay
# in seconds (doubled at each further try: 30, 60, 120, 240).
ZJAI_WEBHOOK_MAX_ATTEMPTS = env.int("ZJAI_WEBHOOK_MAX_ATTEMPTS", default=5)
ZJAI_WEBHOOK_TIMEOUT = env.float("ZJAI_WEBHOOK_TIMEOUT", default=5.0)
ZJAI_WEBHOOK_RETRY_DELAY = env.int("ZJAI_WEBHOOK_RETRY_DELAY", default=30)
# Sends the e-mails and webhook deliveries whose job was lost (broker down at the save).
CELERY_BEAT_SCHEDULE["sweep-notifications"] = {
    "task": "notifications.tasks.sweep_notifications",
    "schedule": 300.0,
}
# Figures: due soon, overdue, and waiting for review longer than ZJAI_REVIEW_PENDING_DAYS.
CELERY_BEAT_SCHEDULE["review-pending-notices"] = {
    "task": "targets.tasks.send_figure_notices",
    "schedule": crontab(hour=8, minute=10),
}
