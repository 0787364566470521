"""Gradio's queue spoken by hand, as an attacker would: POST /gradio_api/queue/join, read the SSE stream."""

from __future__ import annotations

import json
import urllib.request
import uuid


def event_of(server: str, elem_id: str, prefix: str = "") -> tuple[int, int]:
    """(fn_index, trigger id) of the event the component with `elem_id` triggers, from the app's /config."""
    with urllib.request.urlopen(f"{server}{prefix}/config", timeout=60) as response:
        config = json.load(response)
    (component,) = [c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id]
    for dependency in config["dependencies"]:
        if any(target[0] == component for target in dependency["targets"]):
            return dependency["id"], component
    raise LookupError(elem_id)


def queue_call(server: str, fn_index: int, trigger_id: int, data: list, prefix: str = "") -> dict:
    """Join the queue with `data` and return the `process_completed` message."""
    session = uuid.uuid4().hex[:11]
    body = json.dumps({"data": data, "fn_index": fn_index, "trigger_id": trigger_id, "session_hash": session,
                       "event_data": None}).encode()
    join = urllib.request.Request(f"{server}{prefix}/gradio_api/queue/join", data=body, method="POST",
                                  headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(join, timeout=60) as response:
        assert response.status == 200, response.read()
    with urllib.request.urlopen(f"{server}{prefix}/gradio_api/queue/data?session_hash={session}",
                                timeout=300) as stream:
        for line in stream:
            if line.startswith(b"data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the queue closed without process_completed")


def file_data(path: str) -> dict:
    """A FileData naming `path`, as the browser sends one after an upload."""
    return {"path": path, "orig_name": path.rsplit("/", 1)[-1], "meta": {"_type": "gradio.FileData"}}
