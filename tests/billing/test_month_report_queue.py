"""The month's settlement goes through the job queue's store, SQLite by default or
Redis: queued by the web request, it waits there, and a consumer runs it from there."""

import uuid

import pytest

from tests.billing.test_billing_views import _pdf_text
from tests.redis_store import REDIS_URL, redis_or_skip
from webapp.billing import reports
from webapp.billing.models import ReportJob
from webapp.core import jobs
from webapp.extensions import db


@pytest.fixture(params=["sqlite", "redis"])
def stored_queue(request, app, tmp_path, monkeypatch):
    """The app's queue on a store of its own (a SQLite file, or a queue in Redis named
    for this test), not run at once: what a web server does."""
    if request.param == "redis":
        redis_or_skip()
        url = REDIS_URL
    else:
        url = f"sqlite:///{tmp_path / 'job-queue.sqlite3'}"
    name = f"test-{uuid.uuid4().hex[:10]}"
    storage = jobs.storage_for(url, tmp_path, name)
    monkeypatch.setitem(app.extensions, "jobs", jobs.Store(storage, immediate=False))
    try:
        yield url, tmp_path, name
    finally:
        storage.flush_all()


@pytest.mark.rule("R4", "D6")
def test_the_settlement_waits_in_the_store_until_a_consumer_runs_it(
    world, month_of_receipts, stored_queue
):
    url, folder, name = stored_queue
    month_of_receipts(3)
    job = reports.start_month_report(world.branches["A"], "2026-12", world.user("finance"))
    reports.launch(job.id)
    db.session.expire_all()
    assert db.session.get(ReportJob, job.id).status == "queued"

    # Another process (the consumer) opening the same store finds the job there.
    consumer = jobs.storage_for(url, folder, name)
    assert consumer.queue_size() == 1
    task = jobs.queue.dequeue()
    assert task is not None and consumer.queue_size() == 0
    jobs.queue.execute(task)

    db.session.expire_all()
    done = db.session.get(ReportJob, job.id)
    assert done.status == "done" and done.progress == 100
    text = _pdf_text(done.pdf)
    assert "月结客户3" in text and "有效收据 2 张" in text


@pytest.mark.rule("D6")
def test_a_store_that_is_neither_sqlite_nor_redis_is_refused(tmp_path):
    with pytest.raises(ValueError, match="JOBS_URL"):
        jobs.storage_for("postgresql://127.0.0.1/jobs", tmp_path)
    assert jobs.storage_for("", tmp_path).filename == str(tmp_path / "job-queue.sqlite3")
