from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch, Company
from webapp.core.roles import Role
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "users",
    _l("Users and logins"),
    {
        "auth.login": _l("Logged in"),
        "auth.logout": _l("Logged out"),
        "auth.login_failed": _l("Login refused"),
        "user.create": _l("User created"),
        "user.enable": _l("User enabled"),
        "user.disable": _l("User disabled"),
    },
    records={
        "users": _l("User"),
    },
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(50))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20))
    enabled: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the user last opened the duty board: what arrived since is counted as new.
    board_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship()
    branch: Mapped[Branch | None] = relationship()

    # Set by the user loader: the server-side login session this request runs in.
    login_session = None

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    @property
    def is_active(self) -> bool:
        return self.enabled

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: the login session's token, never
        # the user id, so ending the server-side session ends the login.
        if self.login_session is None or self.login_session.token is None:
            raise RuntimeError("user has no login session")
        return self.login_session.token


class LoginSession(db.Model):
    """A login, kept on the server: logout and disabling a user end it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    device_id: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")

    user: Mapped[User] = relationship()

    # The plain token exists only in the request that created or loaded it.
    token = None
