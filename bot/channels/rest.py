"""The coach's REST channel: Rasa's `POST /webhooks/rest/webhook`, checked before any model runs.

Same URL, request and answers as Rasa's `RestInput` for good input:
`{"sender": "<conversation id>", "message": "<text>", "metadata": {...}}` gets a 200
with the list of the bot's messages (`?stream=true`: one JSON message per line, as
they come). Anything else is answered differently (what was sent: what Rasa 3.6's
channel did -> what this one does):

- an empty body, `[]`, a JSON string or number: 500 -> 400;
- not JSON, invalid UTF-8, JSON nested too deeply for the parser, a number too long
  for Python: -> 400 with what to send, never a 500;
- a body over 64 KB: the model ran (13 s for 210 KB), 200 -> 413 at once, unparsed;
- no sender, or a sender that is null, not a string, blank, over 128 characters or
  with control characters: 200, the turn joined a conversation named "default" -> 400;
- no message, or a message that is not a string: 200 with an empty reply -> 400;
- a message over 2,000 characters: 200 after the model ran -> 413, "messages can be
  at most 2,000 characters";
- control characters in the message: passed to the model -> stripped (limits);
- metadata that is not an object: stored as it is -> 400;
- `input_channel` other than "rest": the turn was recorded as coming from that channel
  (e.g. "telegram", which the nudges would then use to reach the person) -> 400;
- a failure inside Rasa while answering: 200, logged with the text -> 200 with an
  apology, logged without it (bot.log_privacy).

Every refusal is `{"error": "<what is wrong and what to send>"}` and never repeats
what was sent. Nothing refused reaches Rasa, the tracker store or a log. The limits
themselves live in bot.channels.limits, shared with socket.io and Telegram.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot import log_privacy
from bot.channels.limits import Refusal, check_message, check_metadata, check_sender, read_json

logger = logging.getLogger(__name__)
log_privacy.install()

FAILURE_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."
_DONE = object()


def refuse(refusal: Refusal) -> HTTPResponse:
    logger.debug("Refused a REST message (HTTP %d): %s", refusal.status, refusal.error)
    return response.json({"error": refusal.error}, status=refusal.status)


class CoachRestInput(RestInput):
    """Rasa's REST input channel with every request checked first (see the module doc)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            body, refusal = read_json(request.body)
            if refusal is not None:
                return refuse(refusal)
            if not isinstance(body, dict):
                return refuse(Refusal(400, 'the body must be a JSON object like '
                                           '{"sender": "<conversation id>", "message": "<text>"}', ""))
            refusal = check_sender(body.get("sender"))
            if refusal is not None:
                return refuse(refusal)
            checked = check_message(body.get("message"))
            if checked.refusal is not None:
                return refuse(checked.refusal)
            metadata, refusal = check_metadata(body.get("metadata"))
            if refusal is not None:
                return refuse(refusal)
            if body.get("input_channel") not in (None, self.name()):
                return refuse(Refusal(400, "input_channel cannot be set over REST: messages sent here "
                                           "are REST messages", ""))
            message = _Message(checked.text or "", body["sender"], self.name(), metadata)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self._streamed(on_new_message, message),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            failed = await _handle(on_new_message, message.build(collector))
            replies: List[Dict[str, Any]] = list(collector.messages)
            if failed:
                replies.append({"recipient_id": message.sender, "text": FAILURE_REPLY})
            return response.json(replies)

        return webhook

    @staticmethod
    def _streamed(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                  message: "_Message") -> Callable[[Any], Awaitable[None]]:
        """Rasa's streaming answer, but it always ends (Rasa's never does if the turn fails)."""

        async def stream(resp: Any) -> None:
            queue: asyncio.Queue = asyncio.Queue()

            async def run() -> None:
                try:
                    if await _handle(on_new_message, message.build(QueueOutputChannel(queue))):
                        await queue.put({"recipient_id": message.sender, "text": FAILURE_REPLY})
                finally:
                    await queue.put(_DONE)

            task = asyncio.ensure_future(run())
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                await resp.write(json.dumps(item) + "\n")
            await task

        return stream


class _Message:
    """What a checked request asks for; `build` makes the UserMessage for one output channel."""

    def __init__(self, text: str, sender: str, input_channel: str, metadata: Optional[Dict[str, Any]]) -> None:
        self.text, self.sender, self.input_channel, self.metadata = text, sender, input_channel, metadata

    def build(self, output: Any) -> UserMessage:
        return UserMessage(self.text, output, self.sender, input_channel=self.input_channel,
                           metadata=self.metadata)


async def _handle(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> bool:
    """Run one turn; True if it failed (logged without the text: the traceback is redacted)."""
    try:
        await on_new_message(message)
        return False
    except asyncio.CancelledError:  # as Rasa's channel: the request timed out, answer what we have
        logger.error("A REST message timed out while the coach was answering it.")
        return True
    except Exception:  # noqa: BLE001 - the client gets an apology, not a 500
        logger.exception("Handling a REST message failed.")
        return True
