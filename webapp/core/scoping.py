"""Branch scoping: the one path to every branch-owned record.

Another branch's record answers 404, exactly like an id that does not exist.
"""

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from webapp.core.org import Branch
from webapp.extensions import db


def visible_branch_ids(user) -> list[int]:
    """Branches the user may see: their own, or all of the company's."""
    if user.branch_id is not None:
        return [user.branch_id]
    return list(
        db.session.scalars(sa.select(Branch.id).where(Branch.company_id == user.company_id))
    )


def visible_branch_scope(user) -> list[int] | sa.Select:
    """The branches the user may see, to filter with `in_` without reading them first:
    their own, or the company's as a subquery of the same statement (never correlated:
    it stays whole inside a query of branches too)."""
    if user.branch_id is not None:
        return [user.branch_id]
    return sa.select(Branch.id).where(Branch.company_id == user.company_id).correlate(None)


def scoped_select(model, user=None):
    """`select(model)` limited to the branches the user may see."""
    user = user or current_user
    return sa.select(model).where(model.branch_id.in_(visible_branch_ids(user)))


def get_scoped_or_404(model, record_id: int, user=None, options=()):
    """The record of a branch the user sees, loaded with `options`; any other id is 404."""
    query = scoped_select(model, user).where(model.id == record_id).options(*options)
    record = db.session.scalar(query)
    if record is None:
        abort(404)
    return record


def visible_branches(user=None) -> list[Branch]:
    user = user or current_user
    return list(
        db.session.scalars(
            sa.select(Branch).where(Branch.id.in_(visible_branch_ids(user))).order_by(Branch.code)
        )
    )


def chosen_branch() -> Branch:
    """The user's own branch; company-wide users choose one with ?branch=<id>."""
    if current_user.branch_id is not None:
        return current_user.branch
    branches = visible_branches()
    wanted = request.args.get("branch", type=int)
    return next((b for b in branches if b.id == wanted), branches[0])
