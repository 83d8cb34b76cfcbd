"""Timeline events as written to ``timeline.jsonl``: the same text as the dataclass's ``asdict`` form."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.timeline import Event, Timeline


@dataclass
class Inner:
    name: str
    where: Path
    parts: tuple[int, ...]


def test_an_event_is_written_as_its_fields_with_nested_dataclasses_and_odd_values_as_asdict_wrote_them() -> None:
    data = {"inner": Inner("a", Path("/x/y"), (1, 2)), "many": [Inner("b", Path("z"), ())],
            "path": Path("/p"), "tuple": (1, "two"), "nested": {"k": {"deep": [1.5, None, True]}}}
    ev = Event(seq=3, t=1.25, kind="snapshot", name="app", layer="app", wall=2.5, scenario="s1", data=data)
    text = ev.to_json()
    assert text == json.dumps(asdict(ev), sort_keys=True, default=str)
    back = json.loads(text)
    assert back["data"]["inner"] == {"name": "a", "where": "/x/y", "parts": [1, 2]}
    assert back["data"]["many"][0]["where"] == "z" and back["data"]["path"] == "/p"
    assert Event.from_dict(back).data["nested"] == data["nested"]
    assert isinstance(data["inner"], Inner), "the event's data is written, not changed"


def test_the_file_holds_one_line_per_event(tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "timeline.jsonl")
    tl.append("log", "one", data={"p": Path("/a")})
    tl.append("check", "two", data={"inner": Inner("c", Path("d"), (3,))})
    tl.close()
    lines = (tmp_path / "timeline.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["name"] for x in lines] == ["one", "two"]
    assert json.loads(lines[1])["data"]["inner"] == {"name": "c", "where": "d", "parts": [3]}
