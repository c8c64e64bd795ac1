"""Printed forms as HTTP responses: always in Chinese, never cached."""

from flask import make_response
from flask_babel import force_locale

from webapp.core.pdf.render import render_pdf


def chinese_pdf(template: str, **context) -> bytes:
    """Printed forms are in Chinese whatever language the screen shows."""
    with force_locale("zh_CN"):
        return render_pdf(template, **context)


def pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
