"""Rows written in bulk through SQLAlchemy Core, in the order the foreign keys need."""

from collections import defaultdict

import sqlalchemy as sa

from webapp.extensions import db

# Parents before children: a flush writes every buffer in this order.
ORDER = [
    "branches",
    "users",
    "workers",
    "talks",
    "customers",
    "orders",
    "order_items",
    "instructions",
    "instruction_items",
    "checkouts",
    "visits",
    "bills",
    "bill_lines",
    "receipts",
    "day_settlements",
    "idle_lists",
    "callbacks",
    "complaints",
    "spot_checks",
    "training_sessions",
    "training_attendances",
    "month_records",
    "audit_entries",
]


class Writer:
    """Hands out ids and buffers rows per table; `flush` inserts them with executemany."""

    def __init__(self, batch: int = 5000):
        self.connection = db.session.connection()
        self.tables = db.metadata.tables
        self.batch = batch
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.next_ids: dict[str, int] = {}
        self.written: dict[str, int] = defaultdict(int)
        self.pending = 0

    def new_id(self, table: str) -> int:
        if table not in self.next_ids:
            column = self.tables[table].c.id
            self.next_ids[table] = (
                self.connection.scalar(sa.select(sa.func.coalesce(sa.func.max(column), 0))) + 1
            )
        self.next_ids[table] += 1
        return self.next_ids[table] - 1

    def add(self, table: str, **row) -> dict:
        """Buffer a row; a table with an id column gets the next one unless given."""
        if "id" in self.tables[table].c and "id" not in row:
            row["id"] = self.new_id(table)
        self.rows[table].append(row)
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()
        return row

    def flush(self) -> None:
        for name in ORDER:
            rows = self.rows.pop(name, None)
            if rows:
                self.connection.execute(self.tables[name].insert(), rows)
                self.written[name] += len(rows)
        self.pending = 0

    def finish(self) -> dict[str, int]:
        """Write what is left and move PostgreSQL's sequences past the ids handed out."""
        self.flush()
        if self.connection.dialect.name == "postgresql":
            for name in self.next_ids:
                self.connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
        return dict(self.written)
