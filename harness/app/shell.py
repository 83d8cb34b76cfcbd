"""What every screen shows: the offline banner, the sync status, the nav bar, readiness.

R1/R2 (banner), R9/R18 (sync status) are read here; ``wait_*`` helpers
wait, bounded, for the app to reach a state (online/offline, all synced).
"""

from __future__ import annotations

from harness.app.base import Screen, screen_read
from harness.app.observations import Banner, SyncStatus


class Shell(Screen):
    """The frame around every screen."""

    def wait_ready(self, timeout_s: float | None = None) -> None:
        """Wait until the app says it finished booting."""
        limit = timeout_s or self.t.launch_s
        if "app_state" not in self.profile.attributes:  # an app that does not say when it booted: its root shows
            self.wait("app root", lambda: bool(self.visible("app_root")), limit)
            return
        self.wait("app ready", lambda: self.get(self.first("app_root"), "app_state") == "ready"
                  if self.first("app_root") is not None else None, limit)

    @screen_read
    def banner(self) -> Banner:
        els = self.visible("offline_banner") if self.has("offline_banner") else []
        b = Banner(visible=bool(els), text=self.text(els[0]) if els else "")
        self.record_observation("banner", visible=b.visible, text=b.text)
        return b

    @screen_read
    def sync_status(self) -> SyncStatus:
        el = self.first("sync_status") if self.has("sync_status") else None
        s = SyncStatus(pending=self.pending_count(), text=self.text(el) if el is not None else "")
        self.record_observation("sync_status", pending=s.pending, text=s.text)
        return s

    def unavailable(self) -> list[str]:
        msgs = self.unavailable_messages()
        self.record_observation("unavailable", messages=msgs, visible=bool(msgs))
        return msgs

    def wait_connectivity(self, state: str, timeout_s: float | None = None) -> float:
        """Wait until the app shows ``online``/``offline``; returns the seconds it took."""
        import time

        t0 = time.monotonic()
        self.wait(f"connectivity={state}", lambda: self.connectivity() == state, timeout_s or self.t.sync_s)
        took = time.monotonic() - t0
        self.record_observation("screen", connectivity=state, waited_s=round(took, 3))
        return took

    def wait_all_synced(self, timeout_s: float | None = None) -> SyncStatus:
        """Wait until nothing is pending (the app's own sync status)."""
        self.wait("all changes synced", lambda: self.pending_count() == 0,
                  timeout_s or self.t.sync_s)
        return self.sync_status()

    def nav(self, where: str) -> None:
        """Tap the nav bar entry ``nav_<where>`` of the app profile."""
        self.click(self.wait_visible(f"nav_{where}"))


__all__ = ["Shell"]
