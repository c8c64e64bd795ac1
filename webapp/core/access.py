"""Access checks used by views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from webapp.core.roles import can


def require(permission: str):
    """Log-in required, then 403 unless the user's role has the permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator
