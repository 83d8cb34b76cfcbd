"""refapp's backend: a small CRM API on Starlette and SQLite.

Why a package: one concept per module (schema, tokens, idempotency, change
feed, admin, seed data, static files), wired together by `app.create_app`.
"""

from refapp.server.app import create_app
from refapp.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
