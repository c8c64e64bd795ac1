"""How fast PDFs render: `.venv/bin/python bench/pdf.py` from the project folder.

Each case runs in a process of its own (this script with --case), so that its peak
memory is its own: the peak resident set of the measured renders, read with getrusage
(Linux: the high-water mark is reset after the warm-ups through /proc/self/clear_refs;
elsewhere it includes them). "base" is the resident set after the warm-ups: the app,
its fonts, and the heap the C allocator kept from earlier renders.

Cases: the floor (WeasyPrint alone, one Latin line), the sample receipt (A5, six
rows) as plain WeasyPrint makes it and through render_pdf, the same receipt on an
80 mm roll (two layouts), and a 2,100-row table on A4 (~50 pages), whole and chunked.
Targets: receipt under 60 ms and within 15 times the floor; 50-page table under 4 s
and 300 MB.
"""

import argparse
import gc
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RECEIPT_ROWS = 6
TABLE_ROWS = 2100
ROWS_PER_CHUNK = 500
RECEIPT_TARGET_MS = 60
FLOOR_RATIO_TARGET = 15
TABLE_TARGET_MS = 4000
TABLE_MEMORY_TARGET_MB = 300

# name: (label, warm-ups, measured runs)
CASES = {
    "floor": ("floor: WeasyPrint, one Latin line", 2, 15),
    "plain": ("receipt A5, plain WeasyPrint", 2, 15),
    "receipt": ("receipt A5, render_pdf", 2, 15),
    "roll": ("receipt 80 mm roll, render_pdf", 2, 15),
    "table": (f"table {TABLE_ROWS} rows A4, render_pdf", 1, 3),
    "chunked": (f"table {TABLE_ROWS} rows A4, chunked by {ROWS_PER_CHUNK}", 1, 3),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case and print it as JSON")
    parser.add_argument("--only", nargs="+", choices=CASES, help="cases to run")
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(run_case(arguments.case)))
        return
    results = {}
    for name in arguments.only or CASES:
        print(f"{CASES[name][0]} …", file=sys.stderr, flush=True)
        results[name] = measure_in_child(name)
    print_table(results)


def measure_in_child(name: str) -> dict[str, Any]:
    child = subprocess.run(  # noqa: S603 - this script, with a case name from CASES
        [sys.executable, str(Path(__file__).resolve()), "--case", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"case {name} failed:\n{child.stderr}")
    return json.loads(child.stdout.splitlines()[-1])


def run_case(name: str) -> dict[str, Any]:
    _label, warmups, runs = CASES[name]
    render = make_case(name)
    for _ in range(warmups):
        render()
    gc.collect()
    base = rss_mb()
    peak_is_own = reset_peak()
    times = []
    data = b""
    for _ in range(runs):
        started = time.perf_counter()
        data = render()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": statistics.median(times),
        "times_ms": times,
        "pages": count_pages(data),
        "base_mb": base,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_excludes_warmups": peak_is_own,
    }


def make_case(name: str) -> Callable[[], bytes]:
    from weasyprint import HTML

    if name == "floor":
        return lambda: HTML(string="<p>Hello, world.</p>").write_pdf()

    from flask import render_template

    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.core.pdf import render_pdf, render_pdf_chunked, restricted_fetcher

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(BenchConfig)
    context = {"branch_name": "北京朝阳分店", "receipt_no": "R-20240501-0001"}
    receipt_rows = rows(RECEIPT_ROWS)
    table_rows = rows(TABLE_ROWS)

    def in_request(render: Callable[[], bytes]) -> Callable[[], bytes]:
        def run() -> bytes:
            with app.test_request_context():
                return render()

        return run

    def plain() -> bytes:
        source = render_template("pdf/sample.html", paper="A5", rows=receipt_rows, **context)
        fetcher = restricted_fetcher()
        return HTML(string=source, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf()

    cases: dict[str, Callable[[], bytes]] = {
        "plain": plain,
        "receipt": lambda: render_pdf("sample.html", paper="A5", rows=receipt_rows, **context),
        "roll": lambda: render_pdf("sample.html", paper="80mm", rows=receipt_rows, **context),
        "table": lambda: render_pdf("sample.html", paper="A4", rows=table_rows, **context),
        "chunked": lambda: render_pdf_chunked(
            "sample.html", table_rows, ROWS_PER_CHUNK, paper="A4", **context
        ),
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


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the peak resident set (getrusage's ru_maxrss) to the current one."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def print_table(results: dict[str, dict[str, Any]]) -> None:
    floor = results.get("floor", {}).get("median_ms")
    print()
    print(
        f"{'case':<42} {'median':>10} {'fastest':>10} {'× floor':>8} {'pages':>6} "
        f"{'base':>8} {'peak':>8}"
    )
    for name, result in results.items():
        ratio = f"{result['median_ms'] / floor:.1f}" if floor else "–"
        peak = f"{result['peak_mb']:.0f} MB" + ("" if result["peak_excludes_warmups"] else "*")
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
    for name in ("table", "chunked"):
        if name in results:
            result = results[name]
            lines.append(
                check(
                    f"{CASES[name][0]} under {TABLE_TARGET_MS / 1000:.0f} s",
                    result["median_ms"] < TABLE_TARGET_MS,
                )
            )
            lines.append(
                check(
                    f"{CASES[name][0]} peak under {TABLE_MEMORY_TARGET_MB} MB",
                    result["peak_mb"] < TABLE_MEMORY_TARGET_MB,
                )
            )
    if any(not result["peak_excludes_warmups"] for result in results.values()):
        lines.append("* peak includes the warm-up renders")
    return lines


def check(what: str, met: bool) -> str:
    return f"{'met    ' if met else 'MISSED '} {what}"


if __name__ == "__main__":
    main()
