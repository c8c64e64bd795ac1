"""bench/concurrency.py, short: a few tablets at once against the real server, no 5xx.

On the suite's database kind (SQLite, or PostgreSQL on TEST_DATABASE_URL's server).
"""

import importlib.util
import os

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location(
    "bench_concurrency", ROOT / "bench" / "concurrency.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.rule("D6", "R4", "R20")
def test_tablets_at_once_get_no_server_error():
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    kind = "postgresql" if test_url.startswith("postgresql") else "sqlite"
    with bench.serve(kind, workers=2, pg_url=test_url, orders=20) as (base, url):
        results = bench.run(base, url, tablets=4, seconds=6, megapixels=8)
    statuses = {kind: sorted({status for status, _t in rows}) for kind, rows in results.items()}
    assert not [s for rows in statuses.values() for s in rows if s >= 500], statuses
    # The writes went through, not only the reads.
    assert any(s == 303 for s in statuses.get("check_out", [])), statuses
    assert any(s == 200 for s in statuses.get("id_reveal", [])), statuses
