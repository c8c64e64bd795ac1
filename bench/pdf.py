"""How fast PDFs render: `.venv/bin/python bench/pdf.py` from the project folder.

Each case runs in a process of its own (this script with --case). Memory is that of
the case's whole process tree (the case, and the render processes a long PDF forks),
as proportional set sizes (PSS: a page shared by several processes counts once),
sampled every few milliseconds by this script during one more render after the timed
ones (sampling takes processor time from them): "peak" is the highest sum, "base" the
sum before that render (the app, its fonts, and the heap the C allocator kept from
earlier renders).

Cases: the floor (WeasyPrint alone, one Latin line), the sample receipt (A5, six
rows, rare name characters) as plain WeasyPrint makes it and through render_pdf, the
same receipt on an 80 mm roll (two layouts), and a month's settlement of a busy
branch (2,100 receipts, ~50 pages of A4; `--receipts N` for another count) rendered
as the app renders it, by one process and by as many as the app uses, then with a few
rows of two lines (each makes the app drop the parts under way and cut the rest again).
Targets: receipt under 60 ms and within 15 times the floor; the month's settlement
under 4 s and 300 MB.
"""

import argparse
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil

RECEIPT_ROWS = 6
MONTH_RECEIPTS = 2100
RECEIPT_TARGET_MS = 60
FLOOR_RATIO_TARGET = 15
MONTH_TARGET_MS = 4000
MONTH_MEMORY_TARGET_MB = 300
SAMPLE_EVERY_S = 0.005

# name: (label, warm-ups, measured runs, environment)
CASES = {
    "floor": ("floor: WeasyPrint, one Latin line", 2, 15, {}),
    "plain": ("receipt A5, plain WeasyPrint", 2, 15, {}),
    "receipt": ("receipt A5, render_pdf", 2, 15, {}),
    "roll": ("receipt 80 mm roll, render_pdf", 2, 15, {}),
    "month1": (
        f"month settlement, {MONTH_RECEIPTS} receipts, 1 process",
        1,
        3,
        {"BRANCHDESK_PDF_PROCESSES": "1"},
    ),
    "month": (f"month settlement, {MONTH_RECEIPTS} receipts, as the app", 1, 3, {}),
    "uneven": ("the same, 7 customer names of two lines", 1, 3, {}),
}
MEASURING = "measuring"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case and print it as JSON")
    parser.add_argument("--only", nargs="+", choices=CASES, help="cases to run")
    parser.add_argument(
        "--receipts", type=int, default=MONTH_RECEIPTS, help="receipts of the month cases"
    )
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(run_case(arguments.case, arguments.receipts)))
        return
    results = {}
    for name in arguments.only or CASES:
        print(f"{CASES[name][0]} …", file=sys.stderr, flush=True)
        results[name] = measure_in_child(name, arguments.receipts)
    print_table(results)


def measure_in_child(name: str, receipts: int = MONTH_RECEIPTS) -> dict[str, Any]:
    """Run one case in a child process, sampling its process tree's memory."""
    script = str(Path(__file__).resolve())
    child = subprocess.Popen(  # noqa: S603 - this script, with a case name from CASES
        [sys.executable, script, "--case", name, "--receipts", str(receipts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CASES[name][3]},
    )
    assert child.stdout is not None and child.stderr is not None
    sampler = TreeMemory(child.pid)
    lines = []
    for line in child.stdout:
        if line.strip() == MEASURING:
            sampler.base = sampler.now()
            sampler.start()
        else:
            lines.append(line)
    sampler.stop()
    errors = child.stderr.read()
    if child.wait() != 0 or not lines:
        raise SystemExit(f"case {name} failed:\n{errors}")
    return {**json.loads(lines[-1]), "base_mb": sampler.base, "peak_mb": sampler.peak}


class TreeMemory(threading.Thread):
    """Samples the summed PSS (MB) of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.base = 0.0
        self.peak = 0.0
        self.running = threading.Event()

    def now(self) -> float:
        total = 0
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        for process in processes:
            try:
                total += process.memory_full_info().pss
            except psutil.NoSuchProcess:
                continue
        return total / 2**20

    def run(self) -> None:
        self.running.set()
        while self.running.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(SAMPLE_EVERY_S)

    def stop(self) -> None:
        if self.running.is_set():
            self.running.clear()
            self.join()


def run_case(name: str, receipts: int = MONTH_RECEIPTS) -> dict[str, Any]:
    _label, warmups, runs, _environment = CASES[name]
    render = make_case(name, receipts)
    for _ in range(warmups):
        render()
    times = []
    data = b""
    for _ in range(runs):
        started = time.perf_counter()
        data = render()
        times.append((time.perf_counter() - started) * 1000)
    gc.collect()
    print(MEASURING, flush=True)
    render()
    return {"median_ms": statistics.median(times), "times_ms": times, "pages": count_pages(data)}


def make_case(name: str, receipts_count: int = MONTH_RECEIPTS) -> Callable[[], bytes]:
    from weasyprint import HTML

    if name == "floor":
        return lambda: HTML(string="<p>Hello, world.</p>").write_pdf()

    from flask import render_template
    from flask_babel import force_locale

    from webapp import create_app
    from webapp.billing.reports import ROWS_PER_CHUNK
    from webapp.config import TestConfig
    from webapp.core.pdf.fetcher import restricted_fetcher
    from webapp.core.pdf.render import render_pdf
    from webapp.core.pdf.tables import render_pdf_chunked

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(BenchConfig)
    context = {"branch_name": "北京朝阳分店", "receipt_no": "R-20240501-0001"}
    receipt_rows = rows(RECEIPT_ROWS)
    receipts = month_receipts(receipts_count)
    uneven = month_receipts(receipts_count, long_name_every=300)
    month = {
        "branch": SimpleNamespace(name="北京朝阳分店"),
        "branch_name": "北京朝阳分店",
        "first": date(2026, 10, 1),
        "last": date(2026, 10, 31),
        "total_fen": sum(r.amount_fen for r in receipts if r.voided_at is None),
        "count": sum(1 for r in receipts if r.voided_at is None),
    }

    def in_request(render: Callable[[], bytes]) -> Callable[[], bytes]:
        def run() -> bytes:
            with app.test_request_context(), force_locale("zh_CN"):
                return render()

        return run

    def plain() -> bytes:
        source = render_template("pdf/sample.html", paper="A5", rows=receipt_rows, **context)
        fetcher = restricted_fetcher()
        return HTML(string=source, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf()

    def settlement(rows: list[SimpleNamespace]) -> Callable[[], bytes]:
        return lambda: render_pdf_chunked("month_settlement.html", rows, ROWS_PER_CHUNK, **month)

    cases: dict[str, Callable[[], bytes]] = {
        "plain": plain,
        "receipt": lambda: render_pdf("sample.html", paper="A5", rows=receipt_rows, **context),
        "roll": lambda: render_pdf("sample.html", paper="80mm", rows=receipt_rows, **context),
        "month1": settlement(receipts),
        "month": settlement(receipts),
        "uneven": settlement(uneven),
    }
    return in_request(cases[name])


def rows(count: int) -> list[dict[str, str]]:
    services = ("家政服务 日常保洁", "月嫂 住家", "育儿嫂 白班", "老人陪护 夜班", "深度保洁")
    workers = ("李阿姨", "张秀英", "王镕喆", "刘桂芳", "陈玥")
    return [
        {
            "date": f"2024-05-{i % 28 + 1:02d}",
            "service": services[i % len(services)],
            "worker": workers[i % len(workers)],
            "hours": f"{i % 8 + 1} 小时",
            "amount": f"¥{(i * 37) % 1000 + 80}.00",
        }
        for i in range(count)
    ]


def month_receipts(count: int, long_name_every: int = 0) -> list[SimpleNamespace]:
    """A month of receipts as the settlement template reads them (one in 50 voided);
    with long_name_every, that often a company whose name takes two lines."""
    customers = ("王秀兰", "李建国", "张丽华", "刘德明", "陈玥", "赵镕喆", "欧阳子琪")
    company = "北京市朝阳区望京街道某某物业管理有限公司行政部"
    methods = ("cash", "wechat", "alipay", "card", "transfer")
    return [
        SimpleNamespace(
            day=date(2026, 10, i * 31 // count + 1),
            code=f"2026-{i + 1:06d}",
            customer=name,
            amount_fen=(i * 3_700) % 100_000 + 8_000,
            method=methods[i % len(methods)],
            voided_at=datetime(2026, 10, 31) if i % 50 == 49 else None,
        )
        for i, name in (
            (i, company if long_name_every and i % long_name_every == 150 else customers[i % 7])
            for i in range(count)
        )
    ]


def count_pages(data: bytes) -> int | None:
    """Pages of a PDF according to poppler's pdfinfo (None without it)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    info = subprocess.run(  # noqa: S603 - fixed arguments, absolute program path
        [pdfinfo, "-"], input=data, capture_output=True, check=True
    ).stdout
    match = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match[1]) if match else None


def print_table(results: dict[str, dict[str, Any]]) -> None:
    floor = results.get("floor", {}).get("median_ms")
    print()
    print(
        f"{'case':<42} {'median':>10} {'fastest':>10} {'× floor':>8} {'pages':>6} "
        f"{'base':>8} {'peak':>8}"
    )
    for name, result in results.items():
        ratio = f"{result['median_ms'] / floor:.1f}" if floor else "–"
        peak = f"{result['peak_mb']:.0f} MB"
        print(
            f"{CASES[name][0]:<42} {result['median_ms']:>7.0f} ms "
            f"{min(result['times_ms']):>7.0f} ms {ratio:>8} "
            f"{result['pages'] or '?':>6} {result['base_mb']:>5.0f} MB {peak:>8}"
        )
    print()
    for line in verdicts(results, floor):
        print(line)


def verdicts(results: dict[str, dict[str, Any]], floor: float | None) -> list[str]:
    lines = []
    if "receipt" in results:
        receipt = results["receipt"]["median_ms"]
        lines.append(check(f"receipt under {RECEIPT_TARGET_MS} ms", receipt < RECEIPT_TARGET_MS))
        if floor:
            lines.append(
                check(
                    f"receipt within {FLOOR_RATIO_TARGET}× the floor ({receipt / floor:.1f}×)",
                    receipt < FLOOR_RATIO_TARGET * floor,
                )
            )
    for name in ("month",):  # month1 is there to compare with
        if name in results:
            result = results[name]
            label = CASES[name][0]
            lines.append(
                check(
                    f"{label} under {MONTH_TARGET_MS / 1000:.0f} s",
                    result["median_ms"] < MONTH_TARGET_MS,
                )
            )
            lines.append(
                check(
                    f"{label} peak under {MONTH_MEMORY_TARGET_MB} MB",
                    result["peak_mb"] < MONTH_MEMORY_TARGET_MB,
                )
            )
    return lines


def check(what: str, met: bool) -> str:
    return f"{'met    ' if met else 'MISSED '} {what}"


if __name__ == "__main__":
    main()
