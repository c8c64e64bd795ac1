"""Customer files (R8, R12)."""

import sqlalchemy as sa

from webapp.core import audit
from webapp.core.masking import mask_phone
from webapp.core.paging import Page, paged_by_ids
from webapp.core.scoping import scoped_select, visible_branch_ids
from webapp.customers.models import Customer
from webapp.extensions import db

FIELDS = (
    "name",
    "phone",
    "phone2",
    "address",
    "home_area",
    "temperament",
    "service_items",
    "service_needs",
    "preferred_times",
    "potential_services",
    "valuables",
    "access_notes",
)
PHONE_FIELDS = {"phone", "phone2"}


def _masked_changes(changes: dict) -> dict:
    for key in PHONE_FIELDS & changes.keys():
        changes[key] = {k: mask_phone(v) for k, v in changes[key].items()}
    return changes


def create_customer(branch_id: int, values: dict) -> Customer:
    customer = Customer(branch_id=branch_id, **{k: values.get(k) for k in FIELDS})
    db.session.add(customer)
    db.session.flush()
    audit.record(
        "customer.create",
        customer,
        changes=_masked_changes(
            {k: {"before": None, "after": str(values[k])} for k in ("name", "phone", "address")}
        ),
    )
    return customer


def update_customer(customer: Customer, values: dict) -> dict:
    for key in FIELDS:
        setattr(customer, key, values.get(key))
    changes = _masked_changes(audit.diff(customer, skip={"updated_at"}))
    if changes:
        audit.record("customer.update", customer, changes=changes)
    db.session.flush()
    return changes


def _matching(query: sa.Select, q: str) -> sa.Select:
    """Customers whose name or address holds `q`, or whose phones hold its three or more
    digits; all of them without text."""
    if not q:
        return query
    digits = "".join(ch for ch in q if ch.isdigit())
    conditions = [
        Customer.name.contains(q, autoescape=True),
        Customer.address.contains(q, autoescape=True),
    ]
    if len(digits) >= 3:
        conditions += [
            Customer.phone.contains(digits, autoescape=True),
            Customer.phone2.contains(digits, autoescape=True),
        ]
    return query.where(sa.or_(*conditions))


def search_customers(user, q: str, limit: int = 50):
    """Active search by name, phone digits or address. Text with a NUL character matches
    nothing (no stored text holds one, and PostgreSQL refuses it in a query)."""
    if "\x00" in q:
        return iter(())
    query = _matching(scoped_select(Customer, user), q)
    return db.session.scalars(query.order_by(Customer.name, Customer.id).limit(limit))


CUSTOMERS_PAGE = 50


def customers_page(user, q: str, page_number: int) -> Page:
    """A page of the user's customers the text finds (all without text), by name. The
    page's ids are sorted on index (branch_id, name) alone, then its customers are read:
    a company-wide user's list spans every customer of the company."""
    ids = sa.select(Customer.id).where(Customer.branch_id.in_(visible_branch_ids(user)))
    ids = ids.where(sa.false()) if "\x00" in q else _matching(ids, q)
    ordered = ids.order_by(Customer.name, Customer.id)
    return paged_by_ids(Customer, ordered, page_number, CUSTOMERS_PAGE)
