"""Rasa's socket.io channel with the session id bound to the connection.

Stock ``SocketIOInput`` takes the sender id from every message's
``session_id`` field, so a hand-written client could claim anyone's
conversation (a Telegram chat id is just a number) and read their progress.
Here a connection gets its session id once, at ``session_request``: the id the
widget kept in localStorage if it looks like one we issued (32 hex digits,
uuid4), otherwise a fresh uuid4. Messages then always use that bound id. It
also awaits ``enter_room`` where python-socketio made it a coroutine (PITFALLS
#2), and checks every message as the other channels do (bot.channels.limits): one
that is not text, too long, or sent before ``session_request`` gets a ``bot_uttered``
reply saying so and never reaches Rasa; control characters are stripped.
"""
from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.limits import NO_SESSION_REPLY, NOT_TEXT_REPLY, check_message

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"[0-9a-f]{32}")


def session_id_for(requested: Any) -> str:
    """The requested id if it is one we could have issued, else a new random one."""
    if isinstance(requested, str) and SESSION_ID.fullmatch(requested):
        return requested
    return uuid.uuid4().hex


def _unshown_nudges(session_id: str) -> list:
    """Today's nudges this person has not seen yet (bot.nudges.web_inbox); none if that fails."""
    try:
        from bot.nudges.web_inbox import take_unshown
        from bot.store import default_store

        return take_unshown(default_store(), session_id, datetime.utcnow())
    except Exception as exc:  # noqa: BLE001 - the chat opens anyway
        logger.warning("Could not look up waiting nudges: %s", exc.__class__.__name__)
        return []


class CoachSocketIOInput(SocketIOInput):
    """Same name and events as Rasa's channel, so the widget needs no change."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        sessions: Dict[str, str] = {}  # socket.io connection id -> conversation id

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_for((data or {}).get("session_id") if isinstance(data, dict) else None)
            sessions[sid] = session_id
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid)
            for text in _unshown_nudges(session_id):
                await sio.emit(self.bot_message_evt, {"text": text}, room=sid)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        async def refuse(sid: Text, reply: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None, *_more: Any) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                logger.warning("socket.io message before session_request; refused")
                return await refuse(sid, NO_SESSION_REPLY)
            if not isinstance(data, dict):
                return await refuse(sid, NOT_TEXT_REPLY)
            checked = check_message(data.get("message"))
            if checked.refusal is not None:
                return await refuse(sid, checked.refusal.reply)
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except (ValueError, RecursionError):
                    metadata = {}
            await on_new_message(UserMessage(
                checked.text, SocketIOOutput(sio, self.bot_message_evt), session_id,
                input_channel=self.name(), metadata=metadata if isinstance(metadata, dict) else {},
            ))

        return socketio_webhook
