"""The month's settlement of the large data against bench/pdf.py's synthetic month, in one run.

    .venv/bin/python bench/month.py --large LARGE_URL [--month YYYY-MM] [--runs 3]

The large database is the one bench/web.py reads (see the README, "Benchmarks"). The
month (by default the last whole month) of the login's branch (manager1's, the big one)
is settled as the app does it: `POST /reports/month`, its job run at once in the request
(the queue in immediate mode), the PDF laid out as the app lays it out. Each run's SQL
statements are counted and its job is deleted afterwards. Each run is followed by
bench/pdf.py's synthetic month table (its "month" case, as the app renders it) laid out
with as many receipts in this process, so that both meet the same load of the machine.
The table ends with a MISSED/met line per target of issue 16: under 50 statements, and a
time per receipt row within 1.2x the synthetic's.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta

import pdf
import sqlalchemy as sa
import web  # puts the project folder on the path, for webapp

from webapp.accounts.models import User
from webapp.billing.models import Receipt, ReportJob
from webapp.billing.reports import month_bounds
from webapp.core import clock
from webapp.extensions import db

MAX_SQL = 50
ROW_RATIO = 1.2


def last_whole_month() -> str:
    return (clock.local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def receipts_of(app, branch_id: int, month: str) -> int:
    first, last = month_bounds(month)
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Receipt)
            .where(Receipt.branch_id == branch_id, Receipt.day.between(first, last))
        )


def settle(app, client, month: str) -> dict:
    """One settlement through the page; its job is deleted once read."""
    before = web.Statements.count
    started = time.perf_counter()
    response = client.post("/reports/month", data={"month": month})
    ms = (time.perf_counter() - started) * 1000
    sql = web.Statements.count - before
    if response.status_code != 303:
        raise SystemExit(f"POST /reports/month answered {response.status_code}")
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        status, size = job.status, len(job.pdf or b"")
        db.session.delete(job)
        db.session.commit()
    if status != "done":
        raise SystemExit(f"the month's job ended {status}")
    return {"ms": ms, "sql": sql, "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", required=True, help="the large database's URL")
    parser.add_argument("--month", help="YYYY-MM (the last whole month by default)")
    parser.add_argument("--login", default="manager1", help="whose branch is settled")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", web.Statements().before)
    app = web.make_app(args.large, JOBS_IMMEDIATE=True, JOBS_URL="memory://")
    client = web.login(app, args.login)
    with app.app_context():
        month = args.month or last_whole_month()
        user_branch = db.session.scalar(
            sa.select(User.branch_id).where(User.username == args.login)
        )
    receipts = receipts_of(app, user_branch, month)
    print(f"{args.login}'s branch, {month}: {receipts:,} receipts", file=sys.stderr, flush=True)
    synthetic_month = pdf.make_case("month", receipts)
    settle(app, client, month)  # warm-ups, as bench/pdf.py's case has one
    synthetic_month()
    runs, synthetic = [], []
    for _ in range(args.runs):
        runs.append(settle(app, client, month))
        started = time.perf_counter()
        synthetic_month()
        synthetic.append((time.perf_counter() - started) * 1000)
    return report(month, receipts, runs, statistics.median(synthetic))


def report(month: str, receipts: int, runs: list[dict], synthetic_ms: float) -> int:
    real_ms = statistics.median(run["ms"] for run in runs)
    sql = max(run["sql"] for run in runs)
    real_row = real_ms / max(receipts, 1)
    synthetic_row = synthetic_ms / max(receipts, 1)
    ratio = real_row / synthetic_row if synthetic_row else 0
    print(f"\n{'case':<40} {'median':>10} {'per row':>10} {'SQL':>5}")
    print(
        f"{'month settlement ' + month + ', the page':<40} {real_ms:>7.0f} ms "
        f"{real_row:>7.2f} ms {sql:>5}"
    )
    print(
        f"{'bench/pdf.py month, same receipts':<40} {synthetic_ms:>7.0f} ms "
        f"{synthetic_row:>7.2f} ms {'':>5}"
    )
    size = runs[-1]["bytes"] / 1024
    print(f"{receipts:,} receipts; per-row ratio {ratio:.2f}x; PDF {size:.0f} KB\n")
    targets = [
        (f"month settlement under {MAX_SQL} SQL statements ({sql})", sql < MAX_SQL),
        (
            f"time per receipt row within {ROW_RATIO:g}x bench/pdf.py's ({ratio:.2f}x)",
            ratio <= ROW_RATIO,
        ),
    ]
    for label, met in targets:
        print(f"{'met' if met else 'MISSED':<12} {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
