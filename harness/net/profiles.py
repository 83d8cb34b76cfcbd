"""Named network profiles with published, sourced numbers.

Each profile is a :class:`Profile` value (delays, bandwidth per direction,
packet loss) and applies as link-layer toxics through the ``profile``
condition (``make_condition("profile", {"name": "3g"})``). Sources, all
transcribed in ../shared/spec/REFERENCE-DATA.md:

* ``android-emulator``: the emulator's ``-netspeed``/``-netdelay`` table
  (gsm ... full). A "min-max" delay becomes latency = midpoint, jitter = half
  the range, applied half per direction (the figure is a round trip).
* ``chrome-devtools``: devtools-frontend NetworkManager.ts presets. Their
  latency is a round trip, applied half per direction.
* ``nlc`` / ``atc``: Network Link Conditioner as mirrored by Facebook ATC's
  sample profiles (separate up and down delays), and ATC's own profiles.
* ``comcast``, ``browserstack``, ``saucelabs``: their published presets.

Packet loss: Toxiproxy v2.12.0 has no packet loss (issues #87/#100/#285), so
loss is expressed as its TCP-visible effect. A lost segment costs one
retransmission timeout (Linux TCP_RTO_MIN = 200 ms) for the data behind it,
so loss p adds jitter of ``200 ms * min(1, 10 p)`` downstream (1 % -> 20 ms,
10 % -> 200 ms stalls); and a share ``min(0.5, p)`` of connections is reset
2 s after its first byte (``reset_peer`` with that toxicity), the
occasional dead connection a lossy radio produces. 100 % loss is a black hole
(``half_open``): connections open, nothing passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from harness.errors import SpecError
from harness.net.conditions import (Bandwidth, HalfOpen, Latency, LinkCondition, ResetPeer, ToxicSpec,
                                    condition)

RTO_MIN_MS = 200
LOSS_RESET_AFTER_MS = 2000


@dataclass(frozen=True)
class Profile:
    """A named link: delays in ms per direction, bandwidth in kbps per direction (None = unlimited)."""

    name: str
    source: str
    up_delay_ms: int = 0
    down_delay_ms: int = 0
    jitter_ms: int = 0
    up_kbps: float | None = None
    down_kbps: float | None = None
    loss_pct: float = 0.0

    def conditions(self) -> tuple[LinkCondition, ...]:
        """The link conditions that make up this profile (see the module docstring for loss)."""
        if self.loss_pct >= 100:
            return (HalfOpen(stream="both"),)
        p = self.loss_pct / 100
        jitter = self.jitter_ms + (round(RTO_MIN_MS * min(1.0, 10 * p)) if p > 0 else 0)
        out: list[LinkCondition] = []
        if self.down_delay_ms or jitter:
            out.append(Latency(latency_ms=self.down_delay_ms, jitter_ms=jitter, stream="downstream"))
        if self.up_delay_ms:
            out.append(Latency(latency_ms=self.up_delay_ms, jitter_ms=self.jitter_ms, stream="upstream"))
        if self.down_kbps:
            out.append(Bandwidth(rate_kbps=self.down_kbps, stream="downstream"))
        if self.up_kbps:
            out.append(Bandwidth(rate_kbps=self.up_kbps, stream="upstream"))
        if p > 0:
            out.append(ResetPeer(timeout_ms=LOSS_RESET_AFTER_MS, stream="downstream", toxicity=min(0.5, p)))
        return tuple(out)


PROFILES: dict[str, Profile] = {}


def _add(name: str, source: str, *, rtt_ms: float = 0, up_ms: float | None = None, down_ms: float | None = None,
         jitter_ms: float = 0, up: float | None = None, down: float | None = None, loss: float = 0.0) -> None:
    if name in PROFILES:
        raise ValueError(f"profile {name!r} defined twice")
    u = up_ms if up_ms is not None else rtt_ms / 2
    d = down_ms if down_ms is not None else rtt_ms / 2
    PROFILES[name] = Profile(name, source, math.ceil(u), math.ceil(d), math.ceil(jitter_ms), up, down, loss)


def _emu(name: str, up: float | None, down: float | None, lo: int, hi: int) -> None:
    _add(name, "android-emulator -netspeed/-netdelay", rtt_ms=(lo + hi) / 2, jitter_ms=(hi - lo) / 2,
         up=up, down=down)


# Android emulator (-netspeed up/down kbps, -netdelay min-max ms)
_emu("gsm", 14.4, 14.4, 150, 550)
_emu("hscsd", 14.4, 57.6, 80, 400)
_emu("gprs", 28.8, 57.6, 35, 200)
_emu("edge", 473.6, 473.6, 80, 400)
_emu("umts", 384, 384, 35, 200)
_emu("hsdpa", 5760, 13980, 0, 0)
_emu("lte", 58000, 173000, 0, 0)
_emu("evdo", 75000, 280000, 0, 0)
_emu("full", None, None, 0, 0)
# Chrome DevTools presets (NetworkManager.ts)
_add("slow-3g", "chrome-devtools", rtt_ms=2000, up=400, down=400)
_add("slow-4g", "chrome-devtools (was Fast 3G)", rtt_ms=562.5, up=675, down=1440)
_add("fast-3g", "chrome-devtools (now Slow 4G)", rtt_ms=562.5, up=675, down=1440)
_add("fast-4g", "chrome-devtools", rtt_ms=165, up=1350, down=8100)
# Network Link Conditioner (via Facebook ATC sample profiles)
_add("3g", "nlc 3G", up_ms=100, down_ms=100, up=330, down=780)
_add("nlc-edge", "nlc Edge", up_ms=440, down_ms=400, up=200, down=240)
_add("dsl", "nlc DSL", rtt_ms=5, up=256, down=2000)
_add("very-bad-network", "nlc Very Bad Network (unofficial figures)", rtt_ms=500, up=1000, down=1000, loss=10)
_add("100-loss", "nlc 100% Loss", loss=100)
# Facebook ATC
_add("atc-2g-rural", "atc 2G rural", rtt_ms=650, up=18, down=20, loss=2)
_add("atc-3g-good", "atc 3G good", up_ms=100, down_ms=90, up=420, down=850)
_add("atc-edge-lossy", "atc Edge lossy", up_ms=440, down_ms=400, up=200, down=240, loss=1)
# comcast (latency ms, bandwidth kbps, loss %)
_add("comcast-gprs", "comcast GPRS", rtt_ms=500, up=50, down=50, loss=2)
_add("comcast-edge", "comcast EDGE", rtt_ms=300, up=250, down=250, loss=1.5)
_add("comcast-3g", "comcast 3G", rtt_ms=250, up=750, down=750, loss=1.5)
_add("comcast-wifi", "comcast WIFI", rtt_ms=40, up=30000, down=30000, loss=0.2)
# BrowserStack
_add("bs-2g-gprs-good", "browserstack 2g-gprs-good", rtt_ms=500, up=30, down=50, loss=1)
_add("bs-edge-good", "browserstack edge-good", rtt_ms=300, up=150, down=250)
_add("bs-3g-umts-good", "browserstack 3g-umts-good", rtt_ms=100, up=100, down=400)
_add("bs-4g-lte-good", "browserstack 4g-lte-good", rtt_ms=100, up=9000, down=18000)
_add("bs-4g-lte-high-latency", "browserstack 4g-lte-high-latency", rtt_ms=3000)
# Sauce Labs
_add("sauce-2g-packet-loss", "saucelabs 2G-packet-loss", rtt_ms=500, up=50, down=100, loss=10)
_add("sauce-3g-slow", "saucelabs 3G-slow", rtt_ms=200, up=250, down=500, loss=1)
_add("sauce-4g-fast", "saucelabs 4G-fast", rtt_ms=30, up=15000, down=25000)


def get_profile(name: str) -> Profile:
    """The profile called ``name``; SpecError listing the known names otherwise."""
    try:
        return PROFILES[name]
    except (KeyError, TypeError):
        raise SpecError("profile", name, "one of " + ", ".join(sorted(PROFILES)),
                        fix="run `harness net profile --list` to see each profile's numbers and source") from None


@condition("profile", layer="link")
@dataclass(frozen=True)
class ProfileCondition(LinkCondition):
    """A named profile applied as one unit (several toxics)."""

    name: str
    kind_doc: ClassVar[str] = "profile"

    def __post_init__(self) -> None:
        get_profile(self.name)

    @property
    def profile(self) -> Profile:
        return PROFILES[self.name]

    def toxics(self) -> tuple[ToxicSpec, ...]:
        return tuple(t for c in self.profile.conditions() for t in c.toxics())


__all__ = ["PROFILES", "Profile", "ProfileCondition", "get_profile"]
