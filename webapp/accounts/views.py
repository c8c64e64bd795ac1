from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from webapp.accounts import board, services, throttle
from webapp.accounts.forms import LoginForm, UserForm
from webapp.accounts.models import User
from webapp.core.forms import options
from webapp.core.roles import COMPANY_WIDE_ROLES, Role, can
from webapp.core.scoping import visible_branches
from webapp.extensions import db

bp = Blueprint("accounts", __name__)
bp.after_app_request(services.mark_ended_session)
bp.after_app_request(services.stamp_kept_page)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("accounts.home")


@bp.route("/login", methods=["GET", "POST"])
@throttle.guard
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            services.start_session(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
        db.session.commit()
        form.password.errors.append(_("Wrong username or password."))
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("accounts.login"), code=303)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang not in ("zh_CN", "en"):
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")), code=303)


@bp.get("/")
@login_required
def home():
    """The duty board: what waits for the user's role now; rendered in the request's
    read, before opening it is written down."""
    page = render_template("accounts/home.html", board=board.board_of(current_user))
    board.mark_seen(current_user)
    return page


def _conditional(shown, template: str):
    """The board's fragment with its ETag: a poll that finds nothing new gets a 304."""
    response = make_response(render_template(template, board=shown))
    # Weak: the same fragment compressed (br or gzip, Flask-Compress) or not is the same
    # board, so a poll's If-None-Match matches whichever encoding it was last sent in.
    response.set_etag(board.etag_of(current_user, shown, str(get_locale())), weak=True)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/duties")
@login_required
def duties():
    """The board polled by htmx every few seconds."""
    return _conditional(board.board_of(current_user), "accounts/_board.html")


@bp.get("/duties/new")
@login_required
def duties_new():
    """The header's count of what arrived since the user last opened the board."""
    return _conditional(board.board_of(current_user), "accounts/_new.html")


@bp.get("/users")
@login_required
def users():
    if not can(current_user, "users.manage"):
        abort(403)
    return render_template("accounts/users.html", users=_company_users(), form=_user_form())


def _company_users() -> list[User]:
    query = sa.select(User).where(User.company_id == current_user.company_id)
    query = query.options(joinedload(User.branch))
    return list(db.session.scalars(query.order_by(User.username)))


def _user_form() -> UserForm:
    form = UserForm()
    form.branch_id.choices = options(
        [(0, _("Whole company"))] + [(b.id, b.name) for b in visible_branches()]
    )
    return form


@bp.post("/users")
@login_required
def create_user():
    if not can(current_user, "users.manage"):
        abort(403)
    form = _user_form()
    if form.validate_on_submit():
        taken = db.session.scalar(sa.select(User.id).where(User.username == form.username.data))
        branch_id = form.branch_id.data or None
        role = Role(form.role.data)
        if taken:
            form.username.errors.append(_("This username is taken."))
        elif branch_id is None and role not in COMPANY_WIDE_ROLES:
            form.branch_id.errors.append(_("This role works in one branch: choose it."))
        else:
            services.create_user(
                company_id=current_user.company_id,
                branch_id=branch_id,
                username=form.username.data,
                display_name=form.display_name.data,
                role=role,
                password=form.password.data,
            )
            db.session.commit()
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/users.html", users=_company_users(), form=form), 422


@bp.post("/users/<int:user_id>/enabled")
@login_required
def set_user_enabled(user_id: int):
    if not can(current_user, "users.manage"):
        abort(403)
    user = db.session.scalar(
        sa.select(User).where(User.id == user_id, User.company_id == current_user.company_id)
    )
    if user is None:
        abort(404)
    if user.id == current_user.id:
        abort(400)
    services.set_user_enabled(user, request.form.get("enabled") == "1")
    db.session.commit()
    return redirect(url_for("accounts.users"), code=303)
