"""The device pool of a farm run: which devices run which suites, validated before anything starts.

A pool is either a pool file (``pools/<name>.yaml``, or any path to one)::

    name: reference-policies
    description: three reference devices under different background policies
    devices: [reference-unrestricted, reference-xiaomi-killer, reference-ios-bar-off]
    suites: [scenarios]          # optional; default: the default suite
    workers: 3                   # optional; at most this many devices at once
    grid: false                  # optional; true: start the farm's Selenium Grid first

or a comma list of device profile names or paths (``reference-doze,reference-huawei``).
Every device is resolved to a validated profile and every suite path must
exist; a mistake is a :class:`~harness.errors.SpecError` naming the file,
the line and the field, before any process starts (STYLE.md 8).

Usage::

    pool = load_pool("reference-policies")
    device_for_worker("reference-doze,reference-huawei", "gw1")   # -> "reference-huawei"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from harness import paths
from harness.inputs import exists
from harness.yamlsource import line_of, load_mapping, plain
from harness.errors import SpecError, UserError

#: Where named pools live.
POOLS = paths.ROOT / "pools"
_FIELDS: dict[str, str] = {
    "name": "the pool's name",
    "description": "a sentence for the matrix header",
    "devices": "a list of device profile names or paths",
    "suites": "a list of scenario files or folders",
    "workers": "at most this many devices at once (an integer >= 1)",
    "grid": "true when the devices reach their browser through the farm's Selenium Grid",
}
_WORKER = re.compile(r"^gw(\d+)$")


@dataclass(frozen=True)
class Pool:
    """A validated pool: device profile names or paths, in worker order, and the suites they run."""

    name: str
    devices: tuple[str, ...]
    suites: tuple[Path, ...] = ()
    workers: int | None = None
    grid: bool = False
    description: str = ""
    source: Path | None = None

    @property
    def parallel(self) -> int:
        """How many devices run at once."""
        return min(self.workers or len(self.devices), len(self.devices))

    def batches(self) -> list[tuple[str, ...]]:
        """The devices split into consecutive groups of :attr:`parallel` (one xdist run each)."""
        n = self.parallel
        return [self.devices[i:i + n] for i in range(0, len(self.devices), n)]

    def as_arg(self, devices: tuple[str, ...] | None = None) -> str:
        """A comma list that :func:`load_pool` reads back (for ``--harness-pool``)."""
        return ",".join(devices if devices is not None else self.devices)


def _check_devices(raw: Any, *, file: Path | str, line: int | None, doc: Any = None) -> tuple[str, ...]:
    from harness.device.profiles import find_profile

    if not isinstance(raw, list) or not raw:
        raise SpecError("devices", raw, "a non-empty list of device profile names or paths", file=file, line=line,
                        fix="list at least one profile from devices/ (see `harness devices`)")
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, item in enumerate(raw):
        where = line_of(doc, (i,)) if doc is not None else None
        if not isinstance(item, str) or not item.strip():
            raise SpecError(f"devices[{i}]", item, "a device profile name or path", file=file, line=where or line)
        name = item.strip()
        ref = name
        p = Path(name)
        if p.suffix in (".yaml", ".yml") and not p.is_absolute() and isinstance(file, Path) and not exists(p):
            if exists(file.parent / p):
                ref = str(file.parent / p)
        try:
            prof = find_profile(ref)
        except SpecError as e:
            if e.file is not None and Path(e.file) == Path(ref):  # the profile file itself is wrong: its file:line
                raise
            raise SpecError(f"devices[{i}]", name, e.allowed if e.field == "device" else str(e),
                            file=file, line=where or line, fix="run `harness devices` for the known profiles") from None
        if prof.name in seen:
            raise SpecError(f"devices[{i}]", name, f"each device once (device {prof.name} is also devices[{seen[prof.name]}])",
                            file=file, line=where or line, fix="remove the duplicate")
        seen[prof.name] = i
        out.append(ref)
    return tuple(out)


def _check_suites(raw: Any, *, file: Path, line: int | None, doc: Any) -> tuple[Path, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise SpecError("suites", raw, "a non-empty list of scenario files or folders", file=file, line=line)
    out: list[Path] = []
    for i, item in enumerate(raw):
        where = line_of(doc, (i,)) or line
        if not isinstance(item, str) or not item.strip():
            raise SpecError(f"suites[{i}]", item, "a path to a scenario file or folder", file=file, line=where)
        p = Path(item)
        candidates = [p] if p.is_absolute() else [paths.ROOT / p, file.parent / p]
        found = next((c for c in candidates if exists(c)), None)
        if found is None:
            raise SpecError(f"suites[{i}]", item, "an existing scenario file or folder (relative to the repository root)",
                            file=file, line=where)
        out.append(found.resolve())
    return tuple(out)


def parse_pool(text: str, *, file: Path) -> Pool:
    """Parse and validate a pool file's text; SpecError names file, line and field."""
    doc = load_mapping(text, file=file, expected="a mapping with devices (and optionally name, suites, workers)")
    for key in doc:
        if key not in _FIELDS:
            raise SpecError(str(key), str(key), "one of the known fields: " + ", ".join(_FIELDS), file=file,
                            line=line_of(doc, (str(key),)), fix="remove it or correct its spelling")
    name = doc.get("name", file.stem)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise SpecError("name", name, "a name of letters, digits, '.', '_' and '-'", file=file, line=line_of(doc, ("name",)))
    if "devices" not in doc:
        raise SpecError("devices", None, "a value (the field is required)", file=file, line=1,
                        fix="add `devices: [reference-unrestricted, ...]`")
    devices = _check_devices(doc["devices"], file=file, line=line_of(doc, ("devices",)), doc=doc["devices"])
    suites = _check_suites(doc.get("suites"), file=file, line=line_of(doc, ("suites",)), doc=doc.get("suites"))
    workers = doc.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SpecError("workers", workers, "an integer >= 1 (devices run at once)", file=file, line=line_of(doc, ("workers",)))
    grid = doc.get("grid", False)
    if not isinstance(grid, bool):
        raise SpecError("grid", grid, "true or false", file=file, line=line_of(doc, ("grid",)))
    desc = doc.get("description", "")
    if not isinstance(desc, str):
        raise SpecError("description", desc, "a string", file=file, line=line_of(doc, ("description",)))
    return Pool(name=name, devices=devices, suites=suites, workers=workers, grid=grid, description=desc, source=file)


def pool_file(pool_arg: str) -> Path | None:
    """The pool file ``pool_arg`` names (a path, or a name under pools/), or None for a comma list."""
    p = Path(pool_arg)
    if "," in pool_arg:
        return None
    if p.suffix in (".yaml", ".yml"):
        if exists(p, "file"):
            return None if _is_device_profile(p) else p
        named = POOLS / p.name
        if "/" not in pool_arg and exists(named, "file"):
            return named
        raise SpecError("pool", pool_arg, "an existing pool file", fix=f"known pools: {', '.join(known_pools()) or 'none'}")
    if "," not in pool_arg and exists(POOLS / f"{pool_arg}.yaml", "file"):
        return POOLS / f"{pool_arg}.yaml"
    return None


def _is_device_profile(path: Path) -> bool:
    try:
        text = path.read_bytes()[:MAX_SNIFF_BYTES].decode("utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^backend\s*:", text, re.MULTILINE) is not None


#: a device profile says ``backend:`` near its top; a pool need not read a huge file to tell
MAX_SNIFF_BYTES = 64 * 1024


def known_pools() -> list[str]:
    return sorted(p.stem for p in POOLS.glob("*.yaml")) if POOLS.is_dir() else []


def load_pool(pool_arg: str) -> Pool:
    """A pool from a pool file (path or name under pools/) or a comma list of device profiles."""
    if not pool_arg or not pool_arg.strip():
        raise SpecError("pool", pool_arg, "a pool file or a comma list of device profiles",
                        fix=f"give e.g. --pool reference-policies (known pools: {', '.join(known_pools()) or 'none'})")
    file = pool_file(pool_arg.strip())
    if file is not None:
        from harness.inputs import read_text

        return parse_pool(read_text(file, what="pool file"), file=file)
    items = [s.strip() for s in pool_arg.split(",")]
    if any(not s for s in items):
        raise SpecError("pool", pool_arg, "a comma list of device profiles without empty entries")
    try:
        devices = _check_devices(items, file="--pool", line=None)
    except SpecError as e:
        if e.field.startswith("devices[") and e.value == pool_arg.split(",")[0].strip() and len(items) == 1:
            raise SpecError("pool", pool_arg, f"a pool name ({', '.join(known_pools()) or 'none'}) or a device profile "
                            f"({e.allowed})") from None
        raise
    return Pool(name="+".join(Path(d).stem for d in devices), devices=devices)


def device_for_worker(pool_arg: str, worker: str | None) -> str:
    """The device an xdist worker runs: worker ``gwI`` gets the pool's device ``I``.

    >>> device_for_worker("reference-doze,reference-huawei", "gw1")
    'reference-huawei'
    """
    if not worker:
        raise UserError(f"a pool ({pool_arg}) needs pytest-xdist workers, one per device: run with "
                        f"`-n <devices> --dist each --harness-pool {pool_arg}` (or use `harness farm --pool {pool_arg}`)")
    m = _WORKER.match(worker)
    if m is None:
        raise UserError(f"worker id {worker!r} is not an xdist worker id like gw0; run with -n and --dist each")
    pool = load_pool(pool_arg)
    index = int(m.group(1))
    if index >= len(pool.devices):
        raise UserError(f"worker {worker} has no device: pool {pool.name} has {len(pool.devices)} device(s) "
                        f"({', '.join(pool.devices)}); run with -n {len(pool.devices)} --dist each")
    return pool.devices[index]


__all__ = ["POOLS", "Pool", "device_for_worker", "known_pools", "load_pool", "parse_pool", "pool_file"]
