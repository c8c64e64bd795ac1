"""The duty board as each user sees it: their role's providers, in their branch's day."""

import hashlib

import sqlalchemy as sa

from webapp.accounts.models import User
from webapp.core import clock
from webapp.core.duties import Board, Context, board
from webapp.core.roles import Role
from webapp.core.transactions import write_transaction
from webapp.extensions import db


def context_of(user) -> Context:
    zone = user.branch.timezone if user.branch is not None else clock.DEFAULT_ZONE
    now = clock.now()
    return Context(
        user=user,
        role=Role(user.role),
        company_id=user.company_id,
        branch_id=user.branch_id,
        now=now,
        today=now.astimezone(clock.zone(zone)).date(),
        zone=zone,
        seen_at=user.board_seen_at,
    )


def board_of(user) -> Board:
    return board(context_of(user))


def etag_of(user, shown: Board, locale: str) -> str:
    """The same board for the same user in the same language has the same tag."""
    key = f"{user.id}|{locale}|{shown.fingerprint()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def mark_seen(user) -> None:
    """Opening the board: what is there now is no longer new. One UPDATE, in a write
    transaction that leaves the user, their login and branch loaded for the page."""
    with write_transaction(keep_loaded=True):
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(board_seen_at=clock.now())
        )
