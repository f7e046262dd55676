"""Checks captured Realtime API frames against OpenAI's own published types.

Input: JSON Lines of {"dir": "client"|"server"|"session", "frame": "<text>"}.
Every client frame must validate as `RealtimeClientEvent`, every server
frame as `RealtimeServerEvent`, and a session (the `session` field of a
WebRTC `POST /v1/realtime/calls`) as `RealtimeSessionCreateRequest`, all
from the official `openai` package, with no
field the types do not know (the package's models accept extra fields, so
that is checked separately). Prints counts per event type; exits 1 on any
failure.
"""

import json
import sys
from collections import Counter

from pydantic import BaseModel, TypeAdapter
from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent, RealtimeSessionCreateRequest


def extras(value, path="$"):
    """Paths of fields a model accepted without declaring them."""
    out = []
    if isinstance(value, BaseModel):
        for k in (value.model_extra or {}):
            out.append(f"{path}.{k}")
        for name in type(value).model_fields:
            out += extras(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += extras(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            out += extras(v, f"{path}.{k}")
    return out


def main(path):
    adapters = {
        "client": TypeAdapter(RealtimeClientEvent),
        "server": TypeAdapter(RealtimeServerEvent),
        "session": TypeAdapter(RealtimeSessionCreateRequest),
    }
    seen = Counter()
    failures = []
    for n, line in enumerate(open(path), 1):
        rec = json.loads(line)
        frame = json.loads(rec["frame"])
        kind = f'{rec["dir"]} {frame.get("type")}'
        try:
            model = adapters[rec["dir"]].validate_python(frame)
        except Exception as e:  # pydantic.ValidationError, reported whole
            failures.append(f"line {n}: {kind}: {e}")
            continue
        unknown = extras(model)
        if unknown:
            failures.append(f"line {n}: {kind}: fields not in OpenAI's types: {', '.join(unknown)}")
            continue
        seen[kind] += 1
    for kind, count in sorted(seen.items()):
        print(f"ok {count:5d} {kind}")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
