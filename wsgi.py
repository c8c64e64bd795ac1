"""WSGI entry point: `gunicorn wsgi:app`."""

import os

from webapp import create_app
from webapp.config import Config, PostgresConfig

app = create_app(
    PostgresConfig if os.environ.get("DATABASE_URL", "").startswith("postgres") else Config
)
