"""Routes and wiring: `create_app(config)` returns the refapp ASGI app.

Why: one place lists every endpoint of refapp/API.md and connects the
shared Database and ServerConfig, the error handlers (every client error is
a JSON 4xx) and the startup seeding of an empty database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from refapp.server import admin, auth, context, mutations, openapi, reads, static
from refapp.server.clock import unix_s
from refapp.server.config import ServerConfig
from refapp.server.db import Database
from refapp.server.errors import ApiError, handle_api_error, handle_http_exception, handle_unexpected
from refapp.server.seed import SeedSpec
from refapp.server.seed import seed as seed_data


async def health(request: Request) -> Response:
    """Liveness probe for the client and the lab; no auth."""
    return JSONResponse({"ok": True, "server_time": unix_s()}, headers={"Cache-Control": "no-store"})


async def client_config(request: Request) -> Response:
    """Client-side bugs and timers the web client reads at launch."""
    return JSONResponse(context.config(request).client(), headers={"Cache-Control": "no-store"})


async def openapi_json(request: Request) -> Response:
    """This API as an OpenAPI 3.0 document."""
    return JSONResponse(openapi.build(request.app.routes))


def _routes() -> list[Route]:
    m = mutations.mutation
    routes = [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/auth/login", auth.login, methods=["POST"]),
        Route("/api/auth/refresh", auth.refresh, methods=["POST"]),
        Route("/client-config.json", client_config, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/api/dashboard", reads.dashboard, methods=["GET"]),
        Route("/api/contacts", reads.list_contacts, methods=["GET"]),
        Route("/api/contacts/{id}", reads.get_contact, methods=["GET"]),
        Route("/api/contacts/{id}/notes", m(mutations.add_note), methods=["POST"]),
        Route("/api/conversations", reads.list_conversations, methods=["GET"]),
        Route("/api/conversations/{id}/messages", reads.list_messages, methods=["GET"]),
        Route("/api/appointments", reads.list_appointments, methods=["GET"]),
        Route("/api/opportunities/{id}", reads.get_opportunity, methods=["GET"]),
        Route("/api/opportunities/{id}", m(mutations.edit_opportunity), methods=["PATCH"]),
        Route("/api/files", m(mutations.upload_file), methods=["POST"]),
        Route("/api/messages/sms", m(mutations.send_sms), methods=["POST"]),
        Route("/api/messages/email", m(mutations.send_email), methods=["POST"]),
        Route("/api/calls", m(mutations.start_call), methods=["POST"]),
        Route("/api/payments", m(mutations.take_payment), methods=["POST"]),
        Route("/api/workflows", reads.list_workflows, methods=["GET"]),
        Route("/api/workflows/{id}/run", m(mutations.run_workflow), methods=["POST"]),
        Route("/api/search", reads.search, methods=["GET"]),
        Route("/api/changes", reads.list_changes, methods=["GET"]),
        Route("/", static.index, methods=["GET"]),
        Route("/web/{path:path}", static.web_file, methods=["GET"]),
        Route("/sw.js", static.service_worker, methods=["GET"]),
    ]
    routes += [Route(path, admin.guarded(handler), methods=list(methods)) for path, handler, methods in admin.ROUTES]
    return routes


def create_app(config: ServerConfig) -> Starlette:
    """The refapp ASGI application for `config` (opens or creates the database file).

        app = create_app(ServerConfig(db_path="/tmp/crm.db", admin=True))
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        app.state.db.close()

    app = Starlette(
        routes=_routes(),
        lifespan=lifespan,
        exception_handlers={ApiError: handle_api_error, HTTPException: handle_http_exception,
                            Exception: handle_unexpected},
    )
    database = Database(config.db_path)
    if config.seed_on_empty is not None and database.is_empty():
        with database.transaction() as conn:
            seed_data(conn, SeedSpec(seed=config.seed_on_empty))
    app.state.db = database
    app.state.config = config
    return app
