"""The socket.io channel only uses session ids it could have issued."""
from __future__ import annotations

from bot.channels.socketio import session_id_for


def test_socketio_session_ids_are_ours_or_new():
    issued = "0123456789abcdef0123456789abcdef"
    assert session_id_for(issued) == issued
    for claimed in ("123456789", "../etc", None, 42, issued.upper(), issued + "0"):
        fresh = session_id_for(claimed)
        assert fresh != claimed and len(fresh) == 32 and int(fresh, 16) >= 0
