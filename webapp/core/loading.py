"""Loading what a list of rows shows with them, in a fixed number of statements.

SQLAlchemy's selectinload sends its statement only when there are rows to load for: a
page's statements then depend on whether a list is empty. These load in one statement
that always runs (an empty list asks for nothing, and gets nothing).
"""

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db


def load_many_to_many(parents: list, attribute) -> None:
    """Fill the many-to-many `attribute` (e.g. `Order.items`) of every parent, the
    related rows in the order of their primary key."""
    relationship = attribute.property
    [(parent_key, link_to_parent)] = relationship.synchronize_pairs
    [(target_key, link_to_target)] = relationship.secondary_synchronize_pairs
    target = relationship.mapper.class_
    keys = [getattr(parent, parent_key.key) for parent in parents]
    found: dict = {key: [] for key in keys}
    for key, row in db.session.execute(
        sa.select(link_to_parent, target)
        .join(target, target_key == link_to_target)
        .where(link_to_parent.in_(keys))
        .order_by(link_to_parent, target_key)
    ):
        found[key].append(row)
    for parent, key in zip(parents, keys, strict=True):
        set_committed_value(parent, attribute.key, found[key])
