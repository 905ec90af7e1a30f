"""JSON text for the Rasa server's two big encodings of every turn, made by ujson.

The body of each custom action call (the whole session's events, 25-115 KB late in a
conversation) and each stored event row were encoded by `json.dumps`: 5-7% of the
server's busy time under load (bench/profile_load.py). ujson is already installed (Sanic
decodes the action call with it on the action server's side) and takes 0.3 ms where
`json.dumps` took 0.8 ms for a 45 KB tracker. The text decodes to the same values; what
ujson will not write the way `json.dumps` does (NaN, infinities) is left to `json.dumps`.
"""
from __future__ import annotations

import json
from typing import Any

import ujson


def dumps(value: Any) -> str:
    """JSON text of `value` that decodes to what `json.dumps(value)` decodes to."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False, reject_bytes=True, allow_nan=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)
