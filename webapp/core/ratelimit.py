"""Rate-limit counters that every worker shares, kept in the app's database.

Flask-Limiter counts in a `limits` storage. Its `memory://` storage lives in one
process: under gunicorn's workers each would allow the whole limit again. This one
keeps the counters in a table of the app's own database, so a branch needs nothing
beside it; `RATELIMIT_STORAGE_URI=redis://host:6379` uses Redis (limits' own storage)
where several servers share one limit.
"""

import hashlib
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from webapp.core.models import RateLimitCounter
from webapp.core.transactions import read_transaction, write_transaction
from webapp.extensions import db

SCHEME = "branchdesk+db"
KEY_LENGTH = 255

_table = RateLimitCounter.__table__


def _key(key: str) -> str:
    return key if len(key) <= KEY_LENGTH else hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """Fixed windows in `rate_limit_counters`, through the request's database session.

    Flask-Limiter counts before and after the view, outside its unit of work, and a
    count must stay when the request's own work is rolled back: each write is a short
    transaction of its own, each read one that never waits for the write lock.
    """

    STORAGE_SCHEME = [SCHEME]

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now, key = time.time(), _key(key)
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        ended = _table.c.expires_at <= now
        statement = (
            dialect.insert(_table)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_table.c.key],
                set_={
                    "count": sa.case((ended, amount), else_=_table.c.count + amount),
                    "expires_at": sa.case((ended, now + expiry), else_=_table.c.expires_at),
                },
            )
            .returning(_table.c.count)
        )
        with write_transaction():
            count = db.session.execute(statement).scalar_one()
            # Ended windows go as new ones are written: the table holds live ones only.
            db.session.execute(sa.delete(_table).where(_table.c.expires_at <= now))
        return count

    def get(self, key: str) -> int:
        with read_transaction():
            count = db.session.scalar(
                sa.select(_table.c.count).where(
                    _table.c.key == _key(key), _table.c.expires_at > time.time()
                )
            )
        return count or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with read_transaction():
            expires = db.session.scalar(
                sa.select(_table.c.expires_at).where(
                    _table.c.key == _key(key), _table.c.expires_at > now
                )
            )
        return expires or now

    def check(self) -> bool:
        with read_transaction():
            db.session.execute(sa.select(1))
        return True

    def reset(self) -> int:
        with write_transaction():
            return db.session.execute(sa.delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with write_transaction():
            db.session.execute(sa.delete(_table).where(_table.c.key == _key(key)))
