"""The customer file (R12): what an accepted assessment found is written into it."""

import re

from webapp.assessments.models import Assessment
from webapp.catalogue.models import ROOM_KIND_LABELS
from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.customers.models import Customer
from webapp.extensions import db

_NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _merged(existing: str, additions: list[str]) -> str:
    """The text with each new line added once; lines already there are not repeated."""
    lines = [line for line in existing.splitlines() if line.strip()]
    known = {line.strip() for line in lines}
    for addition in additions:
        for line in addition.splitlines():
            if line.strip() and line.strip() not in known:
                lines.append(line.strip())
                known.add(line.strip())
    return "\n".join(lines)


def _merged_names(existing: str, names: list[str]) -> str:
    known = set(_NAME_SEPARATORS.split(existing))
    new = [name for name in names if name not in known]
    return "、".join(part for part in (existing.strip(), *new) if part)


def write_back(customer: Customer, assessment: Assessment) -> dict:
    """What the assessment found goes into the customer file: home area, valuables,
    access notes (pets, allergies), service items and potential services."""
    valuables = [
        str(_l("%(room)s: %(text)s", room=ROOM_KIND_LABELS[room.kind], text=room.special))
        for room in assessment.rooms
        if room.special
    ]
    access = [assessment.access_notes]
    if assessment.pets:
        access.append(str(_l("Pets: %(text)s", text=assessment.pets)))
    if assessment.allergies:
        access.append(str(_l("Allergies: %(text)s", text=assessment.allergies)))
    customer.home_area = assessment.home_area
    customer.valuables = _merged(customer.valuables, valuables)
    customer.access_notes = _merged(customer.access_notes, access)
    customer.potential_services = _merged(
        customer.potential_services, [assessment.potential_services]
    )
    customer.service_items = _merged_names(
        customer.service_items, [line.name for line in assessment.lines]
    )
    changes = audit.diff(customer, skip={"updated_at"})
    if changes:
        audit.record("customer.update", customer, changes={**changes, "from": assessment.id})
    db.session.flush()
    return changes
