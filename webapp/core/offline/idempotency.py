"""The outbox's server contract, in one decorator for every offline-capable endpoint.

A POST with an `Idempotency-Key` header is an outbox send (see OFFLINE.md). The key
is stored in `submissions`, flushed before the view runs and committed by the view in
the same transaction as the rows the form creates. Then:

* applied: 201 with a small JSON body, `Idempotency-Replayed: false`, the key echoed;
* the same key and payload again: the stored response, `Idempotency-Replayed: true`;
* the same key with another payload: 422, nothing changes;
* the same key while the first request still runs: 409 with `Retry-After`;
* a key first sent by another user or tablet, or to another form: 422, nothing
  changes and nothing of the first answer is told (a key is the sender's and the
  route's; it stays unique, as the rows it created keep it);
* refused by a rule: 409 with an explanation, the payload kept for the office. When
  the user is still on the form (`Outbox-Attended: 1`) a refusal of what they typed
  comes back as the form page with its messages instead, and nothing is kept. A
  payload larger than the office keeps is 413: the tablet keeps the record.

A POST without the header is an ordinary form post and the view runs untouched.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from html.parser import HTMLParser

import sqlalchemy as sa
from flask import current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.org import Branch
from webapp.extensions import db

KEY = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
ENTERED = "Outbox-Entered-At"
ATTENDED = "Outbox-Attended"
RESULT = "Outbox-Result"
LOCATION = "Outbox-Location"  # where the user goes next; not part of the stored answer
# How far back a tablet's capture time is believed; older claims are a wrong clock.
TRUSTED_PAST = timedelta(days=30)
NOT_SENT_FIELDS = {"csrf_token"}


def offline_capable(model, id_arg: str):
    """Mark a form endpoint as reachable from the outbox; `model` names its entity."""

    def decorate(view):
        @wraps(view)
        def endpoint(**kwargs):
            if request.method != "POST" or KEY not in request.headers:
                return view(**kwargs)
            record = db.session.get(model, kwargs[id_arg])
            # A form about a branch itself (a new customer's assessment) is the branch's.
            branch_id = record.id if isinstance(record, Branch) else None
            branch_id = getattr(record, "branch_id", branch_id)
            return _send(view, kwargs, model, kwargs[id_arg], branch_id)

        return endpoint

    return decorate


def init_app(app, device_sender: Callable[[], str]) -> None:
    """Name who sends when no one is logged in: the shared tablet, as its area knows it."""
    app.extensions["offline_device_sender"] = device_sender


def sender() -> str:
    """Who sends from this browser: `user:<id>`, or the shared tablet `kiosk:<id>`."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return current_app.extensions["offline_device_sender"]()


def _payload() -> dict[str, list[str]]:
    return {
        name: values
        for name, values in request.form.to_dict(flat=False).items()
        if name not in NOT_SENT_FIELDS
    }


def _digest(payload: dict[str, list[str]]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _entered_at() -> datetime:
    now = clock.now()
    try:
        claimed = datetime.fromisoformat(request.headers.get(ENTERED, ""))
    except ValueError:
        return now
    if claimed.tzinfo is None or not now - TRUSTED_PAST <= claimed <= now:
        return now
    return claimed


def _respond(status: int, body: str, key: str, mimetype: str, replayed: bool | None = None):
    response = make_response(body, status)
    response.mimetype = mimetype
    response.headers[KEY] = key
    if replayed is not None:
        response.headers[REPLAYED] = "true" if replayed else "false"
    response.headers["Cache-Control"] = "no-store"
    return response


def _message(status: int, result: str, message: str, key: str, **headers):
    response = _respond(status, json.dumps({"error": message}), key, "application/json")
    response.headers[RESULT] = result
    response.headers.update(headers)
    return response


def _send(view, kwargs, model, entity_id: int, branch_id: int | None):
    entity_key = f"{model.__name__.lower()}:{entity_id}"
    key = request.headers[KEY].strip().lower()
    try:
        well_formed = str(uuid.UUID(key)) == key
    except ValueError:
        well_formed = False
    if not well_formed:
        return _message(400, "bad-key", _("The record's key is not valid."), key[:36])
    payload = _payload()
    digest = _digest(payload)
    scope = sender()
    earlier = db.session.scalar(db.select(Submission).where(Submission.client_uuid == key))
    if earlier is not None:
        if (earlier.sender, earlier.endpoint, earlier.entity_key) != (
            scope,
            request.endpoint,
            entity_key,
        ):
            return _message(
                422, "key-taken", _("This record's key belongs to another record."), key
            )
        return _replay(earlier, key, digest)

    g.outbox_key, g.outbox_entered_at = key, _entered_at()
    submission = _submission(
        key, branch_id, entity_key, digest, scope, SubmissionStatus.APPLIED, _actor_name()
    )
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request with this key is being applied right now.
        db.session.rollback()
        return _message(
            409, "running", _("This record is being saved already."), key, **{"Retry-After": "1"}
        )

    session = db.session()

    def seal(session_) -> None:
        _seal(session_, submission, model, entity_id)

    # The answer a replay gets is written in the commit that applies the form: a
    # crash right after it cannot leave an applied record without its answer.
    sa.event.listen(session, "before_commit", seal)
    try:
        response = make_response(view(**kwargs))
    finally:
        sa.event.remove(session, "before_commit", seal)
    conflict = g.pop("outbox_conflict", None)
    if response.status_code in (301, 302, 303) and conflict is None:
        return _applied(submission, response, key, model, entity_id)
    if conflict is None and response.status_code == 422:
        if request.headers.get(ATTENDED) == "1":
            db.session.rollback()
            response.headers[KEY] = key
            response.headers[RESULT] = "invalid"
            return response
        conflict = _alerts(response.get_data(as_text=True))
    if conflict is None:
        db.session.rollback()
        response.headers[KEY] = key
        return response
    return _refused(entity_key, branch_id, key, digest, payload, conflict, scope)


def _actor_name() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.display_name[:100]
    return ""


def _answer(entity_key: str, record) -> str:
    version = getattr(record, "version", None)
    return json.dumps(
        {"status": "applied", "entity": entity_key, "version": version}, separators=(",", ":")
    )


def _seal(session, submission: Submission, model, entity_id: int) -> None:
    if submission not in session or submission.response_body is not None:
        return
    session.flush()  # the entity's version after this form
    submission.response_status = 201
    submission.response_body = _answer(submission.entity_key, session.get(model, entity_id))
    submission.actor_name = (g.get("outbox_actor") or submission.actor_name)[:100]


def _applied(submission: Submission, response, key: str, model, entity_id: int):
    if submission.response_body is None:  # a view that returned without committing
        _seal(db.session(), submission, model, entity_id)
        db.session.commit()
    answer = _respond(201, submission.response_body, key, "application/json", replayed=False)
    if response.location:
        answer.headers[LOCATION] = response.location
    return answer


def _submission(key, branch_id, entity_key, digest, scope, status, actor_name) -> Submission:
    """This send's row: what was sent where, by whom, from which device, and when."""
    return Submission(
        client_uuid=key,
        branch_id=branch_id,
        endpoint=request.endpoint or "",
        path=request.path[:200],
        entity_key=entity_key,
        payload_digest=digest,
        sender=scope,
        status=status,
        actor_name=actor_name,
        device=g.get("device_label", "")[:200],
        entered_at=g.outbox_entered_at,
    )


def _refused(entity_key, branch_id, key, digest, payload, explanation: str, scope: str):
    db.session.rollback()
    size = len(json.dumps(payload, ensure_ascii=False).encode())
    if size > current_app.config["REFUSED_PAYLOAD_MAX_BYTES"]:
        return _too_large(entity_key, branch_id, key, explanation, size)
    body = render_template("offline/_refused.html", explanation=explanation)
    actor_name = (g.get("outbox_actor") or _actor_name())[:100]
    submission = _submission(
        key, branch_id, entity_key, digest, scope, SubmissionStatus.CONFLICT, actor_name
    )
    submission.response_status, submission.response_body = 409, body
    submission.explanation, submission.payload = explanation, payload
    db.session.add(submission)
    db.session.flush()
    audit.record(
        "submission.refused",
        submission,
        changes={"entity": entity_key, "explanation": explanation},
        branch_id=branch_id,
        label=entity_key,
        actor=current_user if current_user.is_authenticated else None,
        actor_name=None if current_user.is_authenticated else submission.actor_name,
        actor_role=None if current_user.is_authenticated else "worker",
    )
    db.session.commit()
    return _respond(409, body, key, "text/html", replayed=False)


def _too_large(entity_key, branch_id, key, explanation: str, size: int):
    """Refused, and more than the office keeps: the tablet keeps all of it and says why."""
    audit.record(
        "submission.too_large",
        changes={"entity": entity_key, "explanation": explanation, "bytes": size},
        branch_id=branch_id,
        label=entity_key,
        actor=current_user if current_user.is_authenticated else None,
        actor_name=None if current_user.is_authenticated else (g.get("outbox_actor") or ""),
        actor_role=None if current_user.is_authenticated else "worker",
    )
    db.session.commit()
    limit = current_app.config["REFUSED_PAYLOAD_MAX_BYTES"]
    message = _(
        "%(explanation)s This record is too large for the office to keep (at most %(kb)s KB): "
        "it stays on this tablet. Export it from the outbox and give it to the office.",
        explanation=explanation,
        kb=limit // 1024,
    )
    return _message(413, "too-large", message, key)


def _replay(earlier: Submission, key: str, digest: str):
    if earlier.payload_digest != digest:
        return _message(
            422,
            "changed",
            _("This record was already sent with other content: it was not applied again."),
            key,
        )
    if earlier.status == SubmissionStatus.APPLIED:
        return _respond(201, earlier.response_body, key, "application/json", replayed=True)
    return _respond(409, earlier.response_body or "", key, "text/html", replayed=True)


class _AlertText(HTMLParser):
    """Collects the text of the page's error messages (role="alert")."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif ("role", "alert") in attrs:
            self.depth = 1
            self.parts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts[-1] += data


def _alerts(html: str) -> str:
    parser = _AlertText()
    parser.feed(html)
    messages = [" ".join(part.split()) for part in parser.parts if part.strip()]
    return "\n".join(messages) or _("The form was refused.")
