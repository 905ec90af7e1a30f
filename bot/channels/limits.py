"""What a message may be, for every channel (REST, socket.io, Telegram): one place.

- **Text only.** A message is a JSON string; anything else (a number, a list, an
  object, null, a missing field) is refused.
- **At most 2,000 characters** (`MAX_MESSAGE_CHARS`), counted in Unicode code points
  as the client sent them (before control characters are taken out). Longer ones are
  refused with a reply that says the limit, before any model runs: a chat message
  never needs more, and long input only costs model time (a 210 KB message used to
  take 13 s of the Rasa server's time for an empty reply).
- **Control characters are stripped, not refused**: a pasted text with a stray
  control character should still get an answer. "\\r\\n" and a lone "\\r" become
  "\\n"; "\\n" and "\\t" are kept; every other C0 control (NUL included), DEL, the C1
  controls (U+0080-U+009F) and lone UTF-16 surrogates (which JSON can carry as
  "\\ud800" and which no database or log file can store) are removed, so none of
  them reaches the model, the tracker store or a log.
- **A sender** (REST only; the other channels bind it themselves) is a non-empty
  string of at most 128 characters without control characters. It is an id, so it is
  refused rather than cleaned.
- **A body** is at most 64 KB (`MAX_BODY_BYTES`) of JSON; deeper nesting than Python's
  parser takes, invalid UTF-8 and unparseable numbers are a 400, never a 500.

Every refusal carries an HTTP status and error (for REST clients) and a reply in plain
words (for a person on socket.io or Telegram). None of them repeats what was sent.
Accepted texts are handed to `bot.log_privacy.remember`, so a library that logs one
verbatim gets the line redacted; importing this module installs that log filter.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, NamedTuple, Optional, Tuple

from bot import log_privacy

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
MAX_BODY_BYTES = 64 * 1024

# C0 controls except \t and \n, DEL, C1 controls, and lone surrogates (category Cs).
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?")

TOO_LONG_REPLY = (f"Sorry, that message is too long for me: messages can be at most "
                  f"{MAX_MESSAGE_CHARS:,} characters. Please send a shorter one.")
NOT_TEXT_REPLY = "Sorry, I can only read text messages. Please type your message."
NO_SESSION_REPLY = "Sorry, this chat is not connected yet. Please reload the page and try again."
BODY_SHAPE = 'a JSON object like {"sender": "<conversation id>", "message": "<text>"}'

log_privacy.install()  # every server that loads a coach channel filters its logs


class Refusal(NamedTuple):
    """Why a message is not passed on: for a client (status, error) and for a person (reply)."""

    status: int
    error: str
    reply: str


class Checked(NamedTuple):
    """The cleaned text of an accepted message, or why it was refused."""

    text: Optional[str]
    refusal: Optional[Refusal]


def _bad(error: str, reply: str = NOT_TEXT_REPLY, status: int = 400) -> Refusal:
    return Refusal(status, error, reply)


def clean_text(text: str) -> str:
    """`text` without control characters (see the module doc); newlines normalised to "\\n"."""
    return CONTROL_CHARS.sub("", _NEWLINES.sub("\n", text))


def too_long(length: int) -> Refusal:
    return Refusal(413, f"the message is too long: messages can be at most {MAX_MESSAGE_CHARS:,} "
                        f"characters (this one has {length:,})", TOO_LONG_REPLY)


def check_message(value: Any) -> Checked:
    """A message text as received (any JSON value): its cleaned text, or a refusal."""
    if value is None:
        return Checked(None, _bad("the message is missing: send the text as a string in \"message\""))
    if not isinstance(value, str):
        return Checked(None, _bad(f"the message must be a string, not {_json_type(value)}"))
    if len(value) > MAX_MESSAGE_CHARS:
        return Checked(None, too_long(len(value)))
    text = clean_text(value)
    log_privacy.remember(text)
    return Checked(text, None)


def check_sender(value: Any) -> Optional[Refusal]:
    """None if `value` can be a REST sender id (a conversation id), else why not."""
    if value is None:
        return _bad("the sender is missing: send the conversation id as a string in \"sender\"")
    if not isinstance(value, str):
        return _bad(f"the sender must be a string, not {_json_type(value)}")
    if not value.strip():
        return _bad("the sender must not be empty")
    if len(value) > MAX_SENDER_CHARS:
        return _bad(f"the sender can be at most {MAX_SENDER_CHARS} characters")
    if CONTROL_CHARS.search(value) or "\n" in value or "\t" in value or "\r" in value:
        return _bad("the sender must not contain control characters")
    return None


def check_metadata(value: Any) -> Tuple[Optional[Dict[str, Any]], Optional[Refusal]]:
    """Optional metadata: absent/null or a JSON object."""
    if value is None or isinstance(value, dict):
        return value, None
    return None, _bad(f"metadata must be a JSON object, not {_json_type(value)}")


def read_json(body: Optional[bytes], max_bytes: int = MAX_BODY_BYTES) -> Tuple[Any, Optional[Refusal]]:
    """The JSON value of a request body, or why it cannot be read (never an exception)."""
    body = body or b""
    if len(body) > max_bytes:
        return None, Refusal(413, f"the body is too large: it can be at most {max_bytes:,} bytes, and "
                                  f"messages can be at most {MAX_MESSAGE_CHARS:,} characters", TOO_LONG_REPLY)
    if not body.strip():
        return None, _bad(f"the body is empty: send {BODY_SHAPE}")
    try:
        return json.loads(body), None
    except RecursionError:
        return None, _bad("the body is nested too deeply to be read as JSON")
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError, bad UTF-8, a number too long
        return None, _bad(f"the body is not valid JSON: send {BODY_SHAPE}")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "a " + type(value).__name__
