from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "customers",
    _l("Customer files"),
    {
        "customer.create": _l("Customer file created"),
        "customer.update": _l("Customer file changed"),
    },
    records={
        "customers": _l("Customer"),
    },
)


class Customer(db.Model):
    """A customer file: what the manager reads before every dispatch (R8, R12)."""

    __tablename__ = "customers"
    # The customers by name: the list's order on the index alone.
    __table_args__ = (sa.Index("ix_customers_branch_id_name", "branch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    phone2: Mapped[str] = mapped_column(sa.String(20), default="")
    address: Mapped[str] = mapped_column(sa.String(200))
    home_area: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))
    temperament: Mapped[str] = mapped_column(sa.Text, default="")
    service_items: Mapped[str] = mapped_column(sa.Text, default="")
    service_needs: Mapped[str] = mapped_column(sa.Text, default="")
    preferred_times: Mapped[str] = mapped_column(sa.Text, default="")
    potential_services: Mapped[str] = mapped_column(sa.Text, default="")
    valuables: Mapped[str] = mapped_column(sa.Text, default="")
    access_notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
