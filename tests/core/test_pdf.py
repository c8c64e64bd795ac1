"""PDF documents: real WeasyPrint output read back with poppler (pdftotext, pdffonts,
pdfinfo). A missing font or tool fails these tests, in CI and locally alike."""

import gc
import io
import itertools
import os
import re
import shutil
import subprocess
import threading

import pytest
import sqlalchemy as sa
from flask import render_template, url_for
from PIL import Image, ImageChops
from weasyprint import CSS, HTML

from webapp.core.pdf import tables
from webapp.core.pdf.fetcher import PdfResourceError, restricted_fetcher
from webapp.core.pdf.fonts import check_pdf_environment
from webapp.core.pdf.render import render_pdf
from webapp.core.pdf.tables import render_pdf_chunked

pytestmark = pytest.mark.rule("D5")

RARE_NAME = "王镕喆堃昇玥祎珺"
A4_HEIGHT = 841.89
ROLL_WIDTH = 80 / 25.4 * 72  # 226.77 pt


def rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "date": f"2024-05-{i % 28 + 1:02d}",
            "service": "家政服务 日常保洁",
            "worker": "李阿姨",
            "hours": f"{i % 8 + 1} 小时",
            "amount": f"¥{i * 37 % 1000}.00",
        }
        for i in range(count)
    ]


def receipt(app, paper: str, count: int = 6, **context) -> bytes:
    with app.test_request_context():
        return render_pdf(
            "sample.html",
            paper=paper,
            rows=rows(count),
            branch_name="北京朝阳分店",
            receipt_no="R-0001",
            **context,
        )


def poppler(tool: str, data: bytes, *args: str) -> str:
    program = shutil.which(tool)
    assert program, f"{tool} is missing: install Debian's poppler-utils"
    result = subprocess.run(
        [program, *args], input=data, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def text_of(data: bytes) -> str:
    return poppler("pdftotext", data, "-layout", "-", "-")


def page_size(data: bytes) -> tuple[float, float, int]:
    info = poppler("pdfinfo", data, "-")
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    pages = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert size and pages, info
    return float(size[1]), float(size[2]), int(pages[1])


@pytest.fixture(scope="module")
def a5_receipt(app) -> bytes:
    return receipt(app, "A5")


def test_the_environment_has_what_pdfs_need():
    assert check_pdf_environment() == []


def test_chinese_text_and_rare_name_characters_are_in_the_pdf(a5_receipt):
    text = text_of(a5_receipt)
    assert "收据" in text
    assert "人民币壹仟贰佰叁拾肆元伍角" in text
    assert RARE_NAME in text
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*1\s*页", text), "no page number"


def fonts_of(data: bytes) -> dict[str, tuple[str, str, str]]:
    """pdffonts' fonts: name -> (encoding, embedded, subset)."""
    lines = poppler("pdffonts", data, "-").splitlines()[2:]
    fonts = {}
    for line in filter(str.strip, lines):
        name, *_type, encoding, emb, sub, _uni, _object, _generation = line.split()
        fonts[name] = (encoding, emb, sub)
    return fonts


def test_every_font_is_an_embedded_subset_of_noto_sans_cjk_with_every_glyph(a5_receipt):
    fonts = fonts_of(a5_receipt)
    assert fonts, "no font in the PDF"
    for name, (encoding, emb, sub) in fonts.items():
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), name
        assert "NotoSansCJK" in name.replace("-", ""), name
        assert (emb, sub) == ("yes", "yes"), name
        # WeasyPrint encodes a font that lacks some glyphs (tofu) in a custom way.
        assert encoding == "Identity-H", name
    # The rare characters are outside GB 2312 level 1: "Extended" fonts have their glyphs.
    assert any(re.search(r"\+Noto-Sans-CJK-SC-Extended-\d+\b", name) for name in fonts), fonts


def test_a_character_without_a_glyph_shows_in_the_font_encoding(app):
    with app.test_request_context():
        data = render_pdf("sample.html", rows=[{"service": "\ue000"}], branch_name="x")
    assert "Custom" in {encoding for encoding, _emb, _sub in fonts_of(data).values()}


def test_a5_paper(a5_receipt):
    width, height, pages = page_size(a5_receipt)
    assert (round(width, 2), round(height, 2), pages) == (419.53, 595.28, 1)


def test_a_thermal_receipt_is_80_mm_wide_and_as_long_as_its_content(app):
    short = receipt(app, "80mm", count=3)
    long = receipt(app, "80mm", count=40)
    short_width, short_height, short_pages = page_size(short)
    long_width, long_height, long_pages = page_size(long)
    assert abs(short_width - ROLL_WIDTH) < 1 and abs(long_width - ROLL_WIDTH) < 1
    assert (short_pages, long_pages) == (1, 1)
    assert short_height < A4_HEIGHT < long_height
    text = text_of(long)
    assert re.search(r"^\s*40\s", text, re.MULTILINE), "the last row is cut off"
    assert "人民币壹仟贰佰叁拾肆元伍角" in text
    assert not re.search(r"第\s*\d+\s*页", text), "a roll has no page numbers"


def test_unknown_paper_is_refused(app):
    with pytest.raises(ValueError, match="unknown paper"):
        receipt(app, "Letter")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/print.css",
        "ftp://example.com/logo.png",
        "file:///etc/passwd",
        "/static/../webapp/config.py",
        "file:///static/../../etc/passwd",
        "//example.com/static/css/print.css",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_static_folder(app, url):
    with pytest.raises(ValueError):
        restricted_fetcher(app)(url)


def test_the_fetcher_serves_static_files_and_data_urls(app):
    fetcher = restricted_fetcher(app)
    for url in ("/static/css/print.css", fetcher.base_url + "css/print.css"):
        response = fetcher(url)
        try:
            assert response.content_type == "text/css"
            assert b"Noto Sans CJK SC" in response.read()
        finally:
            response.close()
    response = fetcher("data:text/plain;base64,5pS25o2u")
    assert response.read().decode() == "收据"
    response.close()


def test_the_fetcher_reads_the_hashed_names_url_for_gives(app):
    with app.test_request_context():
        url = url_for("static", filename="css/print.css")
    assert re.fullmatch(r"/static/css/print\.[0-9a-f]{12}\.css", url)
    response = restricted_fetcher(app)(url)
    try:
        assert b"Noto Sans CJK SC" in response.read()
    finally:
        response.close()


def test_a_template_asking_for_a_remote_file_fails_loudly(app):
    with pytest.raises(PdfResourceError, match="example.com"):
        receipt(app, "A5", logo="http://example.com/logo.png")


def test_chunked_rendering_gives_the_same_document(app):
    data = rows(70)
    context = {"branch_name": "北京朝阳分店", "receipt_no": "R-0002", "paper": "A5"}
    done = []
    with app.test_request_context():
        whole = render_pdf("sample.html", rows=data, **context)
        chunked = render_pdf_chunked(
            "sample.html", data, 30, progress=lambda *step: done.append(step), **context
        )
    assert done == sorted(done) and done[-1] == (70, 70) and len(done) > 1
    assert page_size(chunked) == page_size(whole)
    assert page_size(whole)[2] > 2
    assert text_of(chunked) == text_of(whole)


@pytest.fixture
def submitted(monkeypatch) -> list[tuple[int, int]]:
    """Two render processes whatever the machine; records the rows of each part given
    to them."""
    calls = []
    submit_part = tables._submit_part

    def recorded(pool, table, start, end):
        calls.append((start, end))
        return submit_part(pool, table, start, end)

    monkeypatch.setattr(tables, "_render_processes", lambda: 2)
    monkeypatch.setattr(tables, "_submit_part", recorded)
    return calls


@pytest.mark.parametrize(("setting", "expected"), [("1", 1), ("3", 3), ("", None), ("x", None)])
def test_the_render_processes_setting(monkeypatch, setting, expected):
    monkeypatch.setenv("BRANCHDESK_PDF_PROCESSES", setting)
    processes = tables._render_processes()
    if expected is None:  # unset or not a number: one a processor, at most two
        assert processes == min(2, len(os.sched_getaffinity(0)))
    else:
        assert processes == expected


def recuts(parts: list[tuple[int, int]]) -> int:
    """How many times the parts were cut again: a part that does not begin where the
    one before it ended."""
    return sum(1 for (_, end), (start, _) in itertools.pairwise(parts) if start != end)


def test_a_long_table_laid_out_by_several_processes_is_the_same_document(app, submitted):
    data = rows(400)
    context = {"branch_name": "北京朝阳分店", "receipt_no": "R-0003", "paper": "A5"}
    done = []
    with app.test_request_context():
        whole = render_pdf("sample.html", rows=data, **context)
        parallel = render_pdf_chunked(
            "sample.html", data, 60, progress=lambda *step: done.append(step), **context
        )
    assert len(submitted) > 3, "the table was not laid out in parts"
    assert recuts(submitted) == 0 and submitted[-1][1] == 400
    assert done == sorted(done) and done[-1] == (400, 400)
    assert page_size(parallel) == page_size(whole)
    pages = page_size(whole)[2]
    assert pages > 10
    # Every page has its number, counted over the whole document.
    assert text_of(parallel) == text_of(whole)
    assert f"第 {pages} 页 / 共 {pages} 页" in text_of(parallel)
    assert all(sub == "yes" for _encoding, _emb, sub in fonts_of(parallel).values())


@pytest.mark.parametrize("tall", [30, 150, 330])
def test_a_row_of_two_lines_anywhere_leaves_the_document_as_one_process_makes_it(
    app, submitted, tall
):
    """A row that wraps holds its page to one row less. In the first pages it makes
    them uneven: the table is laid out in turn, without parts. Later it fails the check
    of the part it is in, and the rest is cut again from there (twice when the part
    cut again begins with that page)."""
    data = rows(400)
    data[tall]["service"] = "家政服务 日常保洁 " * 12
    context = {"branch_name": "北京朝阳分店", "receipt_no": "R-0004", "paper": "A5"}
    with app.test_request_context():
        whole = render_pdf("sample.html", rows=data, **context)
        parallel = render_pdf_chunked("sample.html", data, 60, **context)
    if tall < 120:
        assert submitted == []
    else:
        assert recuts(submitted) in (1, 2) and submitted[-1][1] == 400
    assert text_of(parallel) == text_of(whole)


def test_render_processes_forked_from_a_report_thread_leave_the_database_alone(app, db, submitted):
    """The month's settlement is rendered in a background thread, which forks the render
    processes while this process holds database connections: the processes end without
    closing them (on PostgreSQL a closed one would fail the next query)."""
    assert db.session.execute(sa.text("select 1")).scalar() == 1
    rendered = {}

    def report() -> None:
        with app.test_request_context():
            rendered["pdf"] = render_pdf_chunked(
                "sample.html", rows(400), 60, paper="A5", branch_name="北京朝阳分店"
            )

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert submitted and page_size(rendered["pdf"])[2] > 10
    assert db.session.execute(sa.text("select 1")).scalar() == 1


def raster(data: bytes) -> Image.Image:
    """The first page as a greyscale image, drawn by poppler's pdftoppm."""
    program = shutil.which("pdftoppm")
    assert program, "pdftoppm is missing: install Debian's poppler-utils"
    result = subprocess.run(
        [program, "-gray", "-r", "100", "-singlefile", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return Image.open(io.BytesIO(result.stdout))


def test_render_pdf_draws_what_weasyprint_draws_with_its_own_defaults(app):
    """render_pdf's speed-ups change nothing on paper: a receipt drawn with the cut-down
    fonts and pdf_ua.css looks like the one WeasyPrint draws with the system font and
    its own user-agent stylesheet. Every character, rare ones included, keeps its own
    glyph and place. Text runs that change font may land a fraction of a pixel apart
    (soft edges differ a little); a wrong glyph or a moved line differs by full ink."""
    context = {"rows": rows(6), "branch_name": "北京朝阳分店", "receipt_no": "R-0001"}
    with app.test_request_context():
        cut = render_pdf("sample.html", paper="A5", **context)
        source = render_template("pdf/sample.html", paper="A5", **context)
        fetcher = restricted_fetcher()
        print_css = CSS(filename=str(fetcher.root / "css/print.css"))
        system = HTML(string=source, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[print_css, CSS(string="@page { size: A5 }")]
        )
    assert "Extended" in " ".join(fonts_of(cut)) and "Extended" not in " ".join(fonts_of(system))
    assert RARE_NAME in text_of(cut)
    _, largest = ImageChops.difference(raster(cut), raster(system)).getextrema()
    assert largest < 128, "a character is drawn with another glyph"


def test_a_render_in_a_server_worker_leaves_the_workers_frozen_objects_frozen(app):
    """A worker freezes the app it loaded (webapp.serving); a PDF rendered afterwards
    collects its own garbage and leaves the app's objects out of the collector's passes."""
    from webapp import serving

    loaded = [app]
    serving.post_worker_init(None)
    try:
        receipt(app, "A5")
        assert gc.get_freeze_count() > 0
        assert not any(tracked is loaded for tracked in gc.get_objects())
    finally:
        gc.unfreeze()


def test_a_render_outside_a_server_unfreezes_what_it_froze(app):
    assert gc.get_freeze_count() == 0
    receipt(app, "A5")
    assert gc.get_freeze_count() == 0
