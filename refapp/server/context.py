"""Access to the shared database and configuration from a request.

Why: handlers live in several modules; `create_app` stores the one Database
and ServerConfig on `app.state`, and these typed accessors fetch them.
"""

from __future__ import annotations

from starlette.requests import Request

from refapp.server.config import ServerConfig
from refapp.server.db import Database


def db(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def config(request: Request) -> ServerConfig:
    cfg: ServerConfig = request.app.state.config
    return cfg
