"""Configuration from environment variables with safe defaults."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_path() -> Path:
    return Path(os.environ.get("BRANCHDESK_INSTANCE", ROOT / "instance")).resolve()


class Config:
    INSTANCE_PATH = _instance_path()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'branchdesk.sqlite3'}"
    )
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Fernet key(s) for personal data at rest; comma separated, newest first.
    DATA_KEYS = os.environ.get("BRANCHDESK_DATA_KEYS")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("BRANCHDESK_SECURE_COOKIES", "0") == "1"
    SESSION_COOKIE_NAME = "bd_session"
    # The Strict-Transport-Security header: once a browser has it, plain HTTP to this
    # host is refused. By default a year behind TLS (secure cookies), none on plain HTTP.
    HSTS = os.environ.get("BRANCHDESK_HSTS", "max-age=31536000" if SESSION_COOKIE_SECURE else "")
    REMEMBER_COOKIE_DURATION = 0
    # Uploads above this get a 413 page; ID copies have their own 5 MB check.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    UPLOAD_FOLDER = INSTANCE_PATH / "uploads"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Seconds a request waits for the database's write lock (SQLite) or a row lock
    # (PostgreSQL) before it is answered 503 (webapp.core.transactions).
    DATABASE_BUSY_TIMEOUT = float(os.environ.get("BRANCHDESK_BUSY_TIMEOUT", "5"))
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method, not a secret
    # Failed logins (Flask-Limiter), counted in the database every worker shares, or in
    # Redis with RATELIMIT_STORAGE_URI=redis://host:6379 (webapp.core.ratelimit).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "branchdesk+db://")
    RATELIMIT_KEY_PREFIX = "branchdesk"
    # A store that cannot be reached (Redis down) lets logins through uncounted, logged,
    # rather than locking every user out with a 500.
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_FAILURES_PER_USERNAME = "5 per 15 minutes"
    # A branch's tablets may share one address behind its router.
    LOGIN_FAILURES_PER_ADDRESS = "30 per 15 minutes"
    # A refused outbox record is kept for the office up to this size (photos are files,
    # not counted); a larger one stays on the tablet (core.offline.idempotency).
    REFUSED_PAYLOAD_MAX_BYTES = 1024 * 1024
    # Set by a deployment (e.g. to the commit): a new value makes every tablet's
    # service worker offer the new version even when no static file changed.
    BUILD = os.environ.get("BRANCHDESK_BUILD", "")
    # Where the static files are built: hashed names, compressed copies, the manifest
    # (webapp.core.static_files; `make` builds it, the app too when it is out of date).
    STATIC_BUILD_FOLDER = ROOT / "build"
    # HTML, JSON and scripts the app renders are compressed (Flask-Compress).
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br"]
    # The job queue (webapp.core.jobs): empty for a SQLite file in the instance folder,
    # redis://host:6379 when several servers share the work.
    JOBS_URL = os.environ.get("BRANCHDESK_JOBS_URL", "")
    # The queue's name in that store: installations sharing one Redis each need their own.
    JOBS_QUEUE = os.environ.get("BRANCHDESK_JOBS_QUEUE", "branchdesk")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    DATA_KEYS = "Qq4aKlZDIPwN4XC72Ub421gXHVVjgYEk75Ef-ZpYUI0="
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "branchdesk.test"
    # Jobs run at once, in the request, inside the test's transaction.
    JOBS_IMMEDIATE = True
    JOBS_URL = "memory://"
    # Tests create many users: a cheap hash keeps the suite fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method


class PostgresConfig(Config):
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
