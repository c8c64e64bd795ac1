"""The SQL statements a call sends, for tests that hold a page or a service to a count."""

import sqlalchemy as sa


def statements(db, call):
    """`call()`'s result and every statement it sent through the session's engine."""
    bind = db.session.get_bind()
    engine = getattr(bind, "engine", bind)
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return result, seen
