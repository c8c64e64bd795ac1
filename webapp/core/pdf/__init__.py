"""PDF documents: Jinja templates under templates/pdf/ laid out by WeasyPrint.

One module a job:

- render: render_pdf (A4, A5, the 80 mm receipt roll), one render at a time.
- tables: render_pdf_chunked, a long table laid out in slices, side by side in
  processes forked for the render.
- fonts: the cut-down Chinese fonts every render shares, and check_pdf_environment.
- stylesheets: the user-agent sheet (pdf_ua.css), print.css, the page size.
- fetcher: what a template may load (the static folder only), and PdfResourceError.

What makes them faster (bench/pdf.py measures it) is told in each module: the fonts
(fonts), lighter styles (stylesheets), long tables (tables).

The roll paper and the chunked rendering read WeasyPrint's laid-out page boxes
(Page._page_box), and stylesheets.PdfHTML replaces HTML._ua_stylesheets;
tests/core/test_pdf.py checks them against real output.
Templates may load files from the static folder only (see fetcher.StaticFileFetcher),
by a URL relative to it ("img/logo.png") or by a /static/... URL.
"""
