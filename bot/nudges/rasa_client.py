"""The adapter to Rasa's HTTP API that turns a nudge into the coach's words.

`POST /conversations/{id}/trigger_intent?token=...&include_events=NONE` with the
`EXTERNAL_nudge` intent and the nudge as entities: Rasa records the intent in the
person's tracker, runs `action_nudge` on the action server, and, with no
`output_channel`, returns the bot's messages in the response body. The dispatcher
delivers them itself (PITFALLS 5, 13), so the tracker holds the nudge and the
person's answer continues the dialogue.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from bot.nudges.records import NudgeMessage

logger = logging.getLogger(__name__)

NUDGE_INTENT = "EXTERNAL_nudge"


@dataclass(frozen=True)
class Rendered:
    """What Rasa answered: the messages, or why there are none.

    status: "ok"; "retry" (the request never reached Rasa, or Rasa failed before
    running the turn: safe to try again); "unknown" (it may have run: not repeated).
    """

    status: str
    messages: List[Dict[str, Any]] = field(default_factory=list)
    detail: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(m["text"].strip() for m in self.messages
                           if isinstance(m.get("text"), str) and m["text"].strip())

    @property
    def buttons(self) -> List[Dict[str, Any]]:
        for message in reversed(self.messages):
            if message.get("buttons"):
                return list(message["buttons"])
        return []


class RasaClient:
    def __init__(self, base_url: str, token: Optional[str], timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self._http: Optional[aiohttp.ClientSession] = None

    async def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None

    async def render(self, sender_id: str, message: NudgeMessage) -> Rendered:
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/trigger_intent"
        params = {"include_events": "NONE"}
        if self._token:
            params["token"] = self._token
        body = {"name": NUDGE_INTENT, "entities": message.to_entities()}
        try:
            session = await self._session()
            async with session.post(url, params=params, json=body) as resp:
                status = resp.status
                payload = await resp.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:
            return Rendered("retry", detail=f"Rasa unreachable: {exc.__class__.__name__}")
        except (asyncio.TimeoutError, aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            return Rendered("unknown", detail=f"no answer from Rasa: {exc.__class__.__name__}")
        except (aiohttp.ClientError, ValueError) as exc:
            return Rendered("retry", detail=f"Rasa call failed: {exc.__class__.__name__}")
        if status == 200 and isinstance(payload, dict):
            messages = [m for m in payload.get("messages") or [] if isinstance(m, dict)]
            return Rendered("ok", messages=messages)
        if status in (401, 403):
            return Rendered("retry", detail=f"Rasa refused the token (HTTP {status})")
        if status == 404:
            return Rendered("retry", detail="Rasa's HTTP API is off or the model lacks EXTERNAL_nudge")
        return Rendered("retry", detail=f"Rasa answered HTTP {status}")
