"""Encryption at rest for personal data, and keyed lookup digests.

The keys come from configuration (or the instance folder), never the database.
"""

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from webapp.core.files import private_dir, write_private

KEY_FILE = "data.key"


def ensure_key_file(instance_path: Path) -> Path:
    """Create the instance data key when it is missing; return its path."""
    private_dir(instance_path)
    path = instance_path / KEY_FILE
    if not path.exists():
        write_private(path, Fernet.generate_key() + b"\n")
    return path


def load_keys(configured: str | None, instance_path: Path) -> list[str]:
    if configured:
        keys = [k.strip() for k in configured.split(",") if k.strip()]
    else:
        path = instance_path / KEY_FILE
        if not path.exists():
            raise RuntimeError(
                f"No data key: set BRANCHDESK_DATA_KEYS or run `flask keys init` ({path})."
            )
        keys = [k.strip() for k in path.read_text().split() if k.strip()]
    for key in keys:
        Fernet(key)
    return keys


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in current_app.config["DATA_KEYS_LIST"]])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise RuntimeError("personal data cannot be decrypted with the configured keys") from exc


def lookup_digest(purpose: str, value: str) -> str:
    """A keyed digest to find a record by a secret value without storing it."""
    # The oldest key stays the lookup key, so adding a new key does not break lookups.
    first_key = base64.urlsafe_b64decode(current_app.config["DATA_KEYS_LIST"][-1])
    mac = hmac.new(first_key, f"{purpose}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
