"""ID-card copies of a worker's file: re-encoded, encrypted, every view audited."""

import uuid
from pathlib import Path

from flask import current_app

from webapp.core import audit, crypto
from webapp.core.errors import FieldError, RuleError
from webapp.core.files import private_dir, write_private
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.images import ImageRejected, clean_image
from webapp.core.types import utcnow
from webapp.extensions import db
from webapp.workers.models import IdCopy, Worker

ID_COPY_MAX_BYTES = 5 * 1024 * 1024


def upload_dir() -> Path:
    """Where the encrypted copies are kept: the instance's uploads, never static/."""
    uploads = private_dir(Path(current_app.config["UPLOAD_FOLDER"]))
    return private_dir(uploads / "id-copies")


ID_COPY_MESSAGES = {
    "type": _l("This file is not a JPEG or PNG image."),
    "size": _l("The image is larger than 5 MB."),
    "broken": _l("The image is damaged and cannot be read."),
}


def store_id_copy(worker: Worker, side: str, raw: bytes, user_id: int | None) -> IdCopy:
    """Keep an ID-card copy: re-encoded (no metadata), encrypted, outside static/."""
    if worker.is_read_only:
        raise RuleError(_l("This worker was dismissed: the file is read-only."))
    if side not in ("front", "back"):
        raise FieldError("side", _l("Choose the front or the back."))
    try:
        image = clean_image(raw, max_bytes=ID_COPY_MAX_BYTES)
    except ImageRejected as exc:
        raise FieldError("image", ID_COPY_MESSAGES[exc.reason]) from exc
    storage_name = uuid.uuid4().hex
    write_private(upload_dir() / storage_name, crypto.encrypt(image.data))
    copy = worker.id_copy(side)
    replaced = copy.storage_name if copy else None
    if copy is None:
        copy = IdCopy(worker=worker, side=side)
        db.session.add(copy)
    copy.storage_name = storage_name
    copy.content_type = image.content_type
    copy.width, copy.height = image.width, image.height
    copy.uploaded_at = utcnow()
    copy.uploaded_by_id = user_id
    db.session.flush()
    if replaced:
        (upload_dir() / replaced).unlink(missing_ok=True)
    audit.record(
        "worker.id_copy.upload",
        worker,
        changes={"side": side, "replaced": bool(replaced), "content_type": image.content_type},
    )
    return copy


def read_id_copy(worker: Worker, copy: IdCopy) -> bytes:
    """The decrypted image; every view is audited."""
    audit.record("worker.id_copy.view", worker, changes={"side": copy.side})
    return crypto.decrypt((upload_dir() / copy.storage_name).read_bytes())
