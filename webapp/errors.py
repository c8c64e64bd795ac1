"""Error pages: a clear message in the user's language, never a raw 500."""

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from webapp.core import transactions
from webapp.core.htmx import wants_partial
from webapp.core.photos import MAX_PHOTO_BYTES, MAX_PHOTOS
from webapp.extensions import db


def _page(status: int, title: str, message: str):
    if request.accept_mimetypes.best == "application/json":
        return {"error": message, "status": status}, status
    template = "_error.html" if wants_partial() else "error.html"
    return render_template(template, status=status, title=title, message=message), status


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        response = _page(
            400,
            _("The form has expired"),
            _("The page was open too long or you were logged out. Reload it and try again."),
        )
        return response[0], 400, {"X-CSRF-Failed": "1"}

    @app.errorhandler(400)
    def bad_request(_error):
        return _page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(_error):
        return _page(403, _("Not allowed"), _("Your role does not allow this."))

    @app.errorhandler(404)
    def not_found(_error):
        return _page(404, _("Not found"), _("There is no such page or record."))

    @app.errorhandler(405)
    def not_allowed(_error):
        return _page(405, _("Not allowed"), _("This action is not available here."))

    @app.errorhandler(413)
    def too_large(_error):
        if getattr(current_app.view_functions.get(request.endpoint or ""), "max_form_bytes", 0):
            message = _(
                "The form is too large: at most %(n)s photos of %(mb)s MB each.",
                n=MAX_PHOTOS,
                mb=MAX_PHOTO_BYTES >> 20,
            )
        else:
            message = _("The upload is too large. ID-card copies may be at most 5 MB.")
        return _page(413, _("File too large"), message)

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(error):
        if not transactions.is_busy(error):
            raise error  # Flask's own handling: logged, then the 500 page
        db.session.rollback()
        # Nothing was saved: the tablet's outbox keeps the record and sends it again.
        # The page itself only reads (the user, for the language): it must not wait.
        with transactions.read_transaction():
            page, status = _page(
                503,
                _("Busy, try again"),
                _(
                    "Many people are saving at the same moment. Nothing was saved: "
                    "try again in a few seconds."
                ),
            )
        return page, status, {"Retry-After": str(transactions.retry_after())}

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return _page(500, _("Something went wrong"), _("The error was logged. Please try again."))
