"""Materials on the duty board: stock below the branch's minimum (R1)."""

from flask import url_for

from webapp.core.duties import Context, Duty, Section, State, provides
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.materials.services import low_stock


@provides(Role.MANAGER, Role.BRANCH_HEAD)
def low_stock_duty(ctx: Context) -> list[Duty]:
    if ctx.branch_id is None:
        return []
    low = low_stock(ctx.branch_id)
    return [
        Duty(
            "materials.low-stock",
            Section.WATCH,
            _l("Materials below the branch's minimum"),
            len(low),
            url_for("materials.index"),
            State.DUE_SOON if low else State.DONE,
        )
    ]
