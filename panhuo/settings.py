"""Panhuo settings: every value comes from the environment, read in this one module.

PANHUO_ENV selects the profile:
- ``production`` (the default): DEBUG off, SECRET_KEY and ALLOWED_HOSTS required, secure cookies.
- ``demo``: what ``panhuo demo`` uses; a secret key is generated once and kept in the data dir.
- ``development`` / ``test``: DEBUG may be switched on, a throwaway key is used.

A required variable that is missing stops start-up with ImproperlyConfigured naming it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent

ENV = os.environ.get("PANHUO_ENV", "production").strip().lower()
if ENV not in {"production", "demo", "development", "test"}:
    raise ImproperlyConfigured(
        f"PANHUO_ENV must be production, demo, development or test, not {ENV!r}"
    )
PRODUCTION = ENV == "production"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in {ENV}.")
    return value


DATA_DIR = Path(os.environ.get("PANHUO_DATA_DIR") or Path.cwd() / "var").resolve()


def _secret_key() -> str:
    if PRODUCTION:
        return _required("SECRET_KEY")
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if ENV == "demo":
        # The demo keeps one generated key so that sessions survive a restart.
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    return "insecure-development-key-" + "x" * 40


SECRET_KEY = _secret_key()
#: The sealing secret of sealed-bid auctions (auctions/sealing.py): the lots' private keys are
#: wrapped under it. Kept in the server's environment, apart from the database (and from
#: SECRET_KEY, which it falls back to), so a copy of the database alone opens no bid.
SEALED_BID_KEY = os.environ.get("PANHUO_SEALED_BID_KEY", "").strip() or SECRET_KEY
DEBUG = _env_bool("DEBUG", default=ENV == "development") and not PRODUCTION

if PRODUCTION:
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    ALLOWED_HOSTS = [
        h.strip()
        for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
        if h.strip()
    ]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # its templates and static files: the API docs page works offline
    "panhuo.core",
    "panhuo.organisation",
    "panhuo.integrity",
    "panhuo.register",
    "panhuo.disposal",
    "panhuo.pricing",
    "panhuo.finance",
    "panhuo.approvals",
    "panhuo.monitor",
    "panhuo.bidders",
    "panhuo.auctions",
    "panhuo.decisions",
    "panhuo.flags",
    "panhuo.planning",
    "panhuo.findings",
    "panhuo.scorecards",
    "panhuo.reports",
    "panhuo.portal",
    "panhuo.opendata",
    # The top layer (dashboard, demo, backup): after the apps, so their commands and
    # templates are found first where names meet.
    "panhuo.site",
    "django_tasks_db",
]

# Background work (imports, reports) runs as Django tasks stored in the database and executed by
# `panhuo worker` (django-tasks-db's db_worker), so the embedded default needs no broker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Progress of long work is kept in a cache visible to every process: a file cache in the data
# dir by default, Redis when CACHE_URL says so.
_cache_url = os.environ.get("CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "panhuo.organisation.middleware.UserLanguageMiddleware",
    "panhuo.organisation.middleware.UserMoneyUnitMiddleware",
    "panhuo.organisation.password.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "panhuo.urls"
WSGI_APPLICATION = "panhuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "panhuo.core.context_processors.panhuo",
                "panhuo.site.todo.todo_context",
            ],
        },
    }
]

# Databases: SQLite in the data dir is the embedded default; DATABASE_URL selects PostgreSQL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'panhuo.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or _default_sqlite
if DATABASE_URL.startswith("sqlite"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
# Each server thread keeps its connection between requests (PostgreSQL forks a backend and
# authenticates for every new one: more than a bid's own work), checked before reuse so a
# restarted database costs one failed request nothing; on PostgreSQL only once it has been idle
# a second (core/postgresql: a connection that has just answered is not checked again, a round
# trip of every busy request saved). The test suite opens and closes its own.
CONN_MAX_AGE = int(os.environ.get("PANHUO_DB_CONN_MAX_AGE", 0 if ENV == "test" else 600))
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "panhuo.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers never read the same audit
        # chain head; WAL lets readers go on while one writes.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A few indexes cover extra columns for PostgreSQL's index-only scans (the province-sized
# money and asset sums); SQLite builds them as plain indexes on their keys, which is all it can.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "organisation.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Tests create many users; a fast hasher keeps the suite quick. Production uses Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("PANHUO_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or ENV == "demo"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Leaflet (the asset maps) comes from its package, xstatic-leaflet, never from a CDN: its files
# are served as static/leaflet/leaflet.js and so on, collected like the apps' own.
STATICFILES_DIRS = [("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
WHITENOISE_USE_FINDERS = not (PRODUCTION or ENV == "demo")
if WHITENOISE_USE_FINDERS:
    # Served from the apps' static folders; an empty root keeps WhiteNoise from warning.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the page script reads it to send API writes
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content security policy: scripts, styles, images and fonts only from this site (the static
# files), nothing inline except a script carrying the request's nonce (<script nonce="{{
# csp_nonce }}">), no plugins, never inside a frame, forms post only here. The API docs page
# (Swagger UI) loads its bundle from the static files too and draws its icons as data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}


def map_tile_source(template: str) -> str | None:
    """The CSP source that lets the pages load a tile URL template's images: its origin
    (``https://{s}.gis.example`` allows ``https://*.gis.example``), None when the tiles are this
    site's own (a path) or none are set. Anything but http(s) or a path is refused."""
    template = template.strip()
    if not template or (template.startswith("/") and not template.startswith("//")):
        return None
    parts = urlsplit(template)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            "PANHUO_MAP_TILES must be an http(s) URL template or a path, e.g. "
            f"https://gis.example.gov.cn/tiles/{{z}}/{{x}}/{{y}}.png, not {template!r}"
        )
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or "}" in host:
        raise ImproperlyConfigured(
            f"PANHUO_MAP_TILES: only {{s}} may stand in the host name, not in {template!r}"
        )
    return f"{parts.scheme}://{host}"


# The asset maps' background: a tile server's URL template ({z}/{x}/{y}, optionally {s}), e.g. a
# government intranet's map service, and the credit line it asks for. Empty: no tiles, a plain
# background with a graticule (the maps work offline). The pages may load images from its origin.
_MAP_TILES = os.environ.get("PANHUO_MAP_TILES", "").strip()
if _tiles := map_tile_source(_MAP_TILES):
    SECURE_CSP["img-src"].append(_tiles)


def _proxy_ssl_header() -> tuple[str, str] | None:
    """The header by which the TLS-terminating proxy says a request came over HTTPS.

    ``SECURE_PROXY_SSL_HEADER`` is ``Header-Name=value`` (default ``X-Forwarded-Proto=https``),
    or ``none`` when no proxy sits in front (then a client could forge the header). Only a
    request marked so counts as secure, and only such a response carries HSTS.
    """
    raw = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip() or "X-Forwarded-Proto=https"
    if raw.lower() in {"none", "off", "false"}:
        return None
    name, sep, value = raw.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must be Header-Name=value or none, not {raw!r}"
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), value.strip()


if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # waitress warns "Task queue depth is N" for every request that waits for a free thread:
    # under load, one line a request, flooding the log with what the load itself says.
    # Django logs every 4xx answer ("Bad Request: …", each refused bid) through its "django"
    # logger, set to INFO whatever the root's level: LOG_LEVEL holds for those lines too.
    "loggers": {
        "waitress.queue": {"level": "ERROR"},
        "django.request": {"level": os.environ.get("LOG_LEVEL", "WARNING")},
    },
}


# Panhuo's own configuration.
def _import_bounds(text: str) -> tuple[float, float, float, float] | None:
    if text.strip().lower() in ("", "none"):
        return None
    lat_min, lat_max, lon_min, lon_max = (float(v) for v in text.split(","))
    return (lat_min, lat_max, lon_min, lon_max)


PANHUO = {
    "CURRENCY": os.environ.get("PANHUO_CURRENCY", "CNY"),
    # How amounts are shown: yuan (元), wan (万元) or yi (亿元).
    "MONEY_UNIT": os.environ.get("PANHUO_MONEY_UNIT", "wan"),
    "PAGE_SIZE": 50,
    # Largest import file accepted (bytes).
    "IMPORT_MAX_BYTES": int(os.environ.get("PANHUO_IMPORT_MAX_BYTES", 512 * 1024 * 1024)),
    # How much of a file an import or a mapping's sample reads before refusing it
    # (register/importing/limits.py): data rows, columns with a value, characters in a cell;
    # for XLSX the archive unpacked (as its directory declares), one part read whole (styles,
    # workbook …), the unpacked/packed ratio of a part over 1 MiB, and the shared strings
    # (entries, characters). Defaults: Excel's own sheet and cell limits, and room for a
    # register of a million rows; the shared strings are held in memory (about 60 bytes an
    # entry plus 1-2 a character, so the defaults stay near 200 MiB).
    "IMPORT_LIMITS": {
        "ROWS": int(os.environ.get("PANHUO_IMPORT_MAX_ROWS", 1_048_576)),
        "COLUMNS": int(os.environ.get("PANHUO_IMPORT_MAX_COLUMNS", 500)),
        "CELL_CHARS": int(os.environ.get("PANHUO_IMPORT_MAX_CELL_CHARS", 32_767)),
        "UNPACKED_BYTES": int(os.environ.get("PANHUO_XLSX_MAX_UNPACKED_BYTES", 2 * 1024**3)),
        "PART_BYTES": int(os.environ.get("PANHUO_XLSX_MAX_PART_BYTES", 16 * 1024**2)),
        "RATIO": int(os.environ.get("PANHUO_XLSX_MAX_RATIO", 100)),
        "SHARED_STRINGS": int(os.environ.get("PANHUO_XLSX_MAX_SHARED_STRINGS", 1_500_000)),
        "SHARED_CHARS": int(os.environ.get("PANHUO_XLSX_MAX_SHARED_CHARS", 50_000_000)),
    },
    # Seconds an import pauses after each batch (default none): on a busy site, a big import
    # then leaves the database to other users between batches.
    "IMPORT_BATCH_PAUSE": float(os.environ.get("PANHUO_IMPORT_BATCH_PAUSE", 0) or 0),
    # A commit writes its checked rows this many at a time, one short transaction each, and
    # pauses between two (seconds; unset: 0.15 on SQLite, whose busy handler sleeps up to
    # 0.1 s, so a waiting writer always gets in; none on PostgreSQL).
    "IMPORT_WRITE_BATCH": int(os.environ.get("PANHUO_IMPORT_WRITE_BATCH", 1000)),
    "IMPORT_WRITE_PAUSE": (
        float(os.environ["PANHUO_IMPORT_WRITE_PAUSE"])
        if os.environ.get("PANHUO_IMPORT_WRITE_PAUSE")
        else None
    ),
    # ... once per this many seconds of writing (SQLite cannot say whether anyone waits).
    "IMPORT_WRITE_SLICE": float(os.environ.get("PANHUO_IMPORT_WRITE_SLICE", 0.5) or 0.5),
    # Checked rows a commit keeps in memory; beyond, they wait in a temporary file.
    "IMPORT_SPILL_ROWS": int(os.environ.get("PANHUO_IMPORT_SPILL_ROWS", 50_000)),
    # Where an imported point may lie: (lat_min, lat_max, lon_min, lon_max), China's box by
    # default; "none" (or empty) accepts any place on Earth.
    "IMPORT_BOUNDS": _import_bounds(os.environ.get("PANHUO_IMPORT_BOUNDS", "18,54,73,135")),
    # A running import whose worker shows no sign of life for this long is reported failed.
    "IMPORT_STALE_SECONDS": float(os.environ.get("PANHUO_IMPORT_STALE_SECONDS", 60)),
    # Largest document (appraisal report, contract...) accepted on a record (bytes).
    "DOCUMENT_MAX_BYTES": int(os.environ.get("PANHUO_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)),
    "MAX_PAGE_SIZE": 500,
    # The asset maps (register/geo.py): tile URL template and attribution (see _MAP_TILES above),
    # and the most points one map or one API answer carries (it says so when there are more).
    "MAP_TILES": _MAP_TILES,
    "MAP_ATTRIBUTION": os.environ.get("PANHUO_MAP_ATTRIBUTION", "").strip(),
    "MAP_MAX_POINTS": int(os.environ.get("PANHUO_MAP_MAX_POINTS", 5000)),
    # Open data (opendata/): the OCDS prefix of every ocid (one registered with the Open
    # Contracting Partnership in production; ocid = prefix + place code + "-" + project code),
    # the publisher named in the packages, and how many releases one page of the change feed holds.
    "OCDS_PREFIX": os.environ.get("PANHUO_OCDS_PREFIX", "ocds-panhuo-"),
    "OCDS_PUBLISHER": os.environ.get("PANHUO_OCDS_PUBLISHER", "资产盘活和债务化解工作专班"),
    "OCDS_FEED_PAGE": int(os.environ.get("PANHUO_OCDS_FEED_PAGE", 100)),
    # The change feed hands out a notice revision, payment or allocation only once it was
    # written this many seconds ago (opendata/selectors.py ``settled``): a row whose id came
    # before another's but whose transaction committed after it is not skipped, provided the
    # transactions writing them commit within this time. The test profile waits for nothing (the
    # feed's own test sets it).
    "OCDS_FEED_SETTLE": int(os.environ.get("PANHUO_OCDS_FEED_SETTLE", 0 if ENV == "test" else 120)),
    # The API's documentation (/api/v1/docs) and schema (/api/v1/openapi.json) without signing
    # in: off in production unless PANHUO_API_DOCS_PUBLIC=true (they list every operation).
    "API_DOCS_PUBLIC": _env_bool("PANHUO_API_DOCS_PUBLIC", default=not PRODUCTION),
    # Reuse the answers of the busiest reads until the next audited write (core/read_cache.py).
    # Off in the test profile, whose factories write without audit entries.
    "READ_CACHE": os.environ.get("PANHUO_READ_CACHE", "0" if ENV == "test" else "1") == "1",
    # Keep an API call's token, user and role assignments in each process until the next
    # audited write, and at most this many seconds (organisation/memo.py); 0: read every time.
    "MEMO_SECONDS": float(os.environ.get("PANHUO_MEMO_SECONDS", 0 if ENV == "test" else 60)),
    # PostgreSQL: a bid's hot statements prepared once per connection (core/prepared.py); off
    # (0) behind a pooler that hands a session's statements to other clients (transaction mode).
    "PREPARED_STATEMENTS": _env_bool("PANHUO_PREPARED_STATEMENTS", default=True),
    # Live bidding (auctions/live.py): a lot page's event stream lasts at most STREAM_SECONDS,
    # then the browser reconnects after RETRY_MS; at most STREAMS streams are open at once per
    # process (each holds one of the server's threads, 8 by default), a viewer over that gets
    # the state once and reconnects after BUSY_RETRY_MS; the lot is read every POLL_SECONDS and
    # a heartbeat sent every HEARTBEAT_SECONDS.
    "LIVE": {
        "STREAM_SECONDS": float(os.environ.get("PANHUO_LIVE_STREAM_SECONDS", 25)),
        "STREAMS": int(os.environ.get("PANHUO_LIVE_STREAMS", 3)),
        "POLL_SECONDS": float(os.environ.get("PANHUO_LIVE_POLL_SECONDS", 0.5)),
        "HEARTBEAT_SECONDS": float(os.environ.get("PANHUO_LIVE_HEARTBEAT_SECONDS", 10)),
        "RETRY_MS": int(os.environ.get("PANHUO_LIVE_RETRY_MS", 1000)),
        "BUSY_RETRY_MS": int(os.environ.get("PANHUO_LIVE_BUSY_RETRY_MS", 5000)),
    },
    # Addresses or networks of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto
    # are believed (site/proxy.py, applied by `panhuo serve`); from anyone else they are
    # removed. Empty: no proxy is trusted.
    "TRUSTED_PROXIES": [
        p.strip() for p in os.environ.get("PANHUO_TRUSTED_PROXIES", "").split(",") if p.strip()
    ],
    # Tamper evidence outside the database (integrity/signing.py, checkpoints.py): the Ed25519
    # key that signs audit checkpoints and backups (default: audit-signing.key in the data
    # directory, made on first use; a path given here must exist, see `panhuo audit keygen`;
    # the test profile shares one throw-away key between processes), the append-only file of
    # signed checkpoints, and when checkpoints are made by themselves: every INTERVAL seconds
    # by the worker and after a commit holding a bulk write of BULK entries or more (0: never).
    "AUDIT_KEY_FILE": os.environ.get("PANHUO_AUDIT_KEY_FILE", "").strip()
    or (
        str(Path(tempfile.gettempdir()) / f"panhuo-test-audit-{os.getuid()}.key")
        if ENV == "test"
        else ""
    ),
    "AUDIT_KEY_CREATE": not os.environ.get("PANHUO_AUDIT_KEY_FILE", "").strip(),
    "AUDIT_CHECKPOINT_FILE": os.environ.get("PANHUO_AUDIT_CHECKPOINT_FILE", "").strip(),
    "AUDIT_CHECKPOINT_INTERVAL": int(
        os.environ.get("PANHUO_AUDIT_CHECKPOINT_INTERVAL", 0 if ENV == "test" else 3600)
    ),
    "AUDIT_CHECKPOINT_BULK": int(
        os.environ.get("PANHUO_AUDIT_CHECKPOINT_BULK", 0 if ENV == "test" else 1000)
    ),
    # Sign-in throttling (organisation/throttle.py): after ATTEMPTS failures for one user name
    # from one client address (IP_ATTEMPTS for one client address whatever the names, also
    # counting bad API tokens) within WINDOW seconds, attempts are refused for LOCKOUT
    # seconds. CLIENT_IP_HEADER names the META key a trusted proxy fills with the client
    # address (e.g. HTTP_X_FORWARDED_FOR); empty means REMOTE_ADDR.
    "LOGIN_THROTTLE": {
        "ATTEMPTS": int(os.environ.get("PANHUO_LOGIN_ATTEMPTS", 5)),
        "IP_ATTEMPTS": int(os.environ.get("PANHUO_LOGIN_IP_ATTEMPTS", 30)),
        "WINDOW": int(os.environ.get("PANHUO_LOGIN_WINDOW", 15 * 60)),
        "LOCKOUT": int(os.environ.get("PANHUO_LOGIN_LOCKOUT", 15 * 60)),
        "CLIENT_IP_HEADER": os.environ.get("PANHUO_CLIENT_IP_HEADER", "").strip(),
    },
}
for _proxy in PANHUO["TRUSTED_PROXIES"]:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"PANHUO_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from None
if PANHUO["MONEY_UNIT"] not in {"yuan", "wan", "yi"}:
    raise ImproperlyConfigured("PANHUO_MONEY_UNIT must be yuan, wan or yi")
