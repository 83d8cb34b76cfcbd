"""refapp: the reference app under test, a small offline-first CRM.

Why it exists: so the whole harness runs with nothing but this repository.
`refapp.server` is the backend (Starlette + SQLite), `refapp/web/` the
offline-first web client, `refapp.bugs` the catalogue of injectable sync
bugs. The harness never imports this package; it talks to it over HTTP
(see refapp/API.md). Start it with `python -m refapp --port 0 --db crm.db`.
"""
