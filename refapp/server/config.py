"""The server's run-time configuration (bugs, token lifetimes, admin switch).

Why separate: the CLI builds it, `POST /_admin/config` changes parts of it
while the server runs, and handlers read it per request; one small mutable
object shared by all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refapp.bugs import client_bugs


def seconds(value: float) -> float | int:
    """Whole seconds print as integers (900, not 900.0)."""
    return int(value) if float(value).is_integer() else value


@dataclass
class ServerConfig:
    """Settings a running refapp reads on every request.

        ServerConfig(db_path="/tmp/crm.db", admin=True, bugs=frozenset({"changes-feed-skips"}))
    """

    db_path: str
    admin: bool = False
    bugs: frozenset[str] = field(default_factory=frozenset)
    token_ttl_s: float = 900
    refresh_ttl_s: float = 30 * 24 * 3600
    queue_messages: bool = True
    seed_on_empty: int | None = None

    def has_bug(self, name: str) -> bool:
        return name in self.bugs

    def public(self) -> dict[str, object]:
        """What `GET /_admin/config` shows."""
        return {
            "bugs": sorted(self.bugs),
            "token_ttl_s": seconds(self.token_ttl_s),
            "refresh_ttl_s": seconds(self.refresh_ttl_s),
            "queue_messages": self.queue_messages,
            "admin": self.admin,
        }

    def client(self) -> dict[str, object]:
        """What the web client reads at launch (`GET /client-config.json`)."""
        return {
            "bugs": client_bugs(self.bugs),
            "token_ttl_s": seconds(self.token_ttl_s),
            "queue_messages": self.queue_messages,
        }
