"""Materials on the duty board: stock below the branch's minimum (R1)."""

from flask import url_for

from webapp.core.duties import Context, Duty, Reading, Section, State, provides
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.materials.ledger import low_count


@provides(Role.MANAGER, Role.BRANCH_HEAD)
def low_stock_duty(ctx: Context) -> list[Reading]:
    if ctx.branch_id is None:
        return []

    def duties(low) -> list[Duty]:
        return [
            Duty(
                "materials.low-stock",
                Section.WATCH,
                _l("Materials below the branch's minimum"),
                low,
                url_for("materials.index"),
                State.DUE_SOON if low else State.DONE,
            )
        ]

    return [Reading(low_count(ctx.branch_id, ctx.company_id), duties)]
