"""Branch Desk: the software a domestic-services branch runs its day on."""

import importlib
import secrets
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user

from webapp.config import Config
from webapp.core import jobs, routing, static_files, transactions
from webapp.core.files import create_private, private_dir, write_private
from webapp.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

DEVICE_COOKIE = "bd_device"


DUTY_AREAS = (
    "availability",
    "billing",
    "callbacks",
    "complaints",
    "discipline",
    "dispatch",
    "materials",
    "month_files",
    "quality",
    "training",
    "week_files",
    "workers",
)


def _import_duties() -> None:
    """Each area's duty board providers register themselves when imported."""
    for area in DUTY_AREAS:
        importlib.import_module(f"webapp.{area}.duties")


def create_app(config: type[Config] | object = Config) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(getattr(config, "INSTANCE_PATH", Config.INSTANCE_PATH)),
        instance_relative_config=False,
    )
    routing.init_app(app)
    app.config.from_object(config)
    _private_files(app)
    _load_secrets(app)
    # Registered first, so it runs last of the after_request functions: it compresses
    # what the others have finished (a response already compressed is left as it is).
    compress.init_app(app)
    # Before CSRFProtect's own before_request, which is the first to read the form.
    app.before_request(_form_limits)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    from webapp.core import ratelimit  # noqa: F401 - the database store's URI scheme

    limiter.init_app(app)
    jobs.init_app(app)
    static_files.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)

    from webapp import errors, models, templating  # noqa: F401 - models: every table
    from webapp.accounts import services as account_services
    from webapp.accounts.views import bp as accounts_bp
    from webapp.admin.views import bp as admin_bp
    from webapp.assessments.views import bp as assessments_bp
    from webapp.availability.views import bp as availability_bp
    from webapp.billing.views import bp as billing_bp
    from webapp.callbacks.views import bp as callbacks_bp
    from webapp.catalogue.views import bp as catalogue_bp
    from webapp.complaints.views import bp as complaints_bp
    from webapp.core.offline import idempotency as offline
    from webapp.customers.views import bp as customers_bp
    from webapp.discipline.views import bp as discipline_bp
    from webapp.dispatch.views import bp as dispatch_bp
    from webapp.kiosk import services as kiosk_services
    from webapp.kiosk.views import bp as kiosk_bp
    from webapp.manual.views import bp as manual_bp
    from webapp.materials.views import bp as materials_bp
    from webapp.month_files.views import bp as month_files_bp
    from webapp.quality.views import bp as quality_bp
    from webapp.sync.views import bp as sync_bp
    from webapp.training.views import bp as training_bp
    from webapp.visits.views import bp as visits_bp
    from webapp.week_files.views import bp as week_files_bp
    from webapp.workers.views import bp as workers_bp

    _import_duties()

    offline.init_app(app, kiosk_services.outbox_sender)
    login_manager.user_loader(account_services.resume_session)
    login_manager.unauthorized_handler(account_services.unauthorized)
    login_manager.session_protection = None

    app.register_blueprint(accounts_bp)
    app.register_blueprint(workers_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dispatch_bp)
    app.register_blueprint(visits_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(sync_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(quality_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(callbacks_bp)
    app.register_blueprint(week_files_bp)
    app.register_blueprint(manual_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(discipline_bp)
    app.register_blueprint(availability_bp)
    app.register_blueprint(materials_bp)
    app.register_blueprint(month_files_bp)
    errors.register(app)
    templating.register(app)

    app.before_request(_identify_device)
    app.after_request(_security_headers)
    transactions.init_app(app)
    _strict_transport_security(app)

    from webapp.cli import register as register_cli

    register_cli(app)
    return app


def _strict_transport_security(app: Flask) -> None:
    """Config.HSTS on every answer, the static files' (served before Flask) included."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        value = app.config["HSTS"]
        if not value:
            return inner(environ, start_response)

        def start(status, headers, exc_info=None):
            headers.append(("Strict-Transport-Security", value))
            return start_response(status, headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = wsgi_app


def _load_secrets(app: Flask) -> None:
    from webapp.core.crypto import load_keys

    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        key_file = instance / "secret_key"
        if not key_file.exists():
            write_private(key_file, secrets.token_urlsafe(48).encode())
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    try:
        app.config["DATA_KEYS_LIST"] = load_keys(app.config.get("DATA_KEYS"), instance)
    except RuntimeError:
        # Only `flask keys init` / `flask serve` create the data key: a lost key
        # must never be silently replaced while encrypted data exists.
        app.config["DATA_KEYS_LIST"] = []


def _private_files(app: Flask) -> None:
    """The instance folder and a new SQLite database are the owner's only (core.files)."""
    private_dir(Path(app.instance_path))
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.parent.exists():
            private_dir(path.parent)
        create_private(path)


def _form_limits() -> None:
    """A form view marked as taking photos accepts a larger body (core.photos)."""
    view = current_app.view_functions.get(request.endpoint or "")
    size = getattr(view, "max_form_bytes", None)
    if size:
        request.max_content_length = size
        request.max_form_memory_size = size


def _select_locale() -> str:
    if not has_request_context():
        return "zh_CN"
    lang = session.get("lang")
    if not lang and current_user and current_user.is_authenticated:
        lang = current_user.locale
    return lang if lang in ("zh_CN", "en") else "zh_CN"


def _select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.branch:
        return current_user.branch.timezone
    return "Asia/Shanghai"


def _identify_device() -> None:
    device_id = request.cookies.get(DEVICE_COOKIE, "")
    if len(device_id) != 32 or not device_id.isalnum():
        device_id = uuid.uuid4().hex
        g.new_device_id = device_id
    g.device_id = device_id
    agent = request.user_agent.string or "unknown"
    g.device_label = f"{device_id[:8]} · {agent[:150]}"


def _security_headers(response):
    if g.get("new_device_id"):
        response.set_cookie(
            DEVICE_COOKIE,
            g.new_device_id,
            max_age=5 * 365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    # Whether a user is signed in, from what the request loaded: `is_authenticated`
    # reads the user's row, which a view's commit has expired (a statement more).
    if request.endpoint != "static" and current_user and not current_user.is_anonymous:
        headers["Cache-Control"] = "no-store"
    return response
