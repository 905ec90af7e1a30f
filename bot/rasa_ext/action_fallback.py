"""A short apology instead of silence while the action server is unreachable.

Rasa 3.6 runs a custom action by POSTing to the action server; when nothing
answers, `RemoteAction.run` raises, the processor logs a traceback and drops the
action's events, and the person gets no reply at all. Installed by
`bot.rasa_ext.stores` (which Rasa imports at start because endpoints.yml names it),
`install()` wraps the `run` of Rasa's remote actions and of its loops (forms, whose
validation is a remote action) so that a *connection* failure to the action
endpoint becomes exactly one event: the bot saying `UNAVAILABLE_TEXT`.

- Nothing else is returned: no slot, no loop change, so nothing of the turn is
  half-stored; the action never ran, so none of its rows were written either.
  The next turn, once the action server is back, runs as usual (an active form is
  still waiting for the same slot).
- One apology per turn: a later remote action that fails in the same turn adds nothing.
- `action_session_start` fails quietly: the person did not ask for it. It returns
  only the `action_listen` mark that ends every session start, so the person's
  message is read as usual (without it the policies predict nothing and the person
  gets silence); no `SessionStarted`, so the slots of an expired session are kept
  as they were rather than reset without the coach's carry-over.
- A nudge (an `EXTERNAL_` intent sent by the scheduler) is left to fail as before,
  so the scheduler never delivers an apology nobody asked for.
- Only the outermost action converts the error: a remote action run inside a form
  (its validation) or inside `action_extract_slots` fails as Rasa expects there.
- Any other failure (an HTTP 4xx/5xx from the action server, a bad response) is
  left to Rasa unchanged. A connection dropped in the middle of a request (the
  action server dying while it runs an action) also gets the apology; that action
  may have stored its rows before dying, which no reply from here can undo.
"""
from __future__ import annotations

import contextvars
import functools
import logging
from typing import Any, Callable, List, Optional

import aiohttp

logger = logging.getLogger(__name__)

UNAVAILABLE_TEXT = "Sorry, I couldn't do that just now. Please try again in a minute."
MARK = "action_server_unavailable"  # in the apology's metadata: one apology per turn
SESSION_START = "action_session_start"
LISTEN = "action_listen"

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("coach_action_depth", default=0)
_INSTALLED = "_coach_fail_soft"


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) is a failed connection to the action server."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, aiohttp.ClientConnectionError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _apologised_this_turn(tracker) -> bool:
    """An apology since the turn began (the last `action_listen`, or the tracker's start)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered

    for event in reversed(getattr(tracker, "events", None) or []):
        if isinstance(event, ActionExecuted) and event.action_name == LISTEN:
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(MARK):
            return True
    return False


def _nudge_turn(tracker) -> bool:
    latest = getattr(tracker, "latest_message", None)
    intent = (getattr(latest, "intent", None) or {}).get("name") or ""
    return str(intent).startswith("EXTERNAL_")


def apology() -> Any:
    from rasa.shared.core.events import BotUttered

    return BotUttered(text=UNAVAILABLE_TEXT, data={}, metadata={MARK: True})


def fallback_events(action_name: str, tracker) -> Optional[List[Any]]:
    """The events that replace a failed action's, or None to let the error through."""
    if _nudge_turn(tracker):
        return None
    if action_name == SESSION_START:
        from rasa.shared.core.events import ActionExecuted

        return [ActionExecuted(LISTEN)]
    if _apologised_this_turn(tracker):
        return []
    return [apology()]


def _fail_soft(run: Callable, convert: bool = True) -> Callable:
    @functools.wraps(run)
    async def wrapped(self, output_channel, nlg, tracker, domain, *args: Any, **kwargs: Any):
        outermost = _depth.get() == 0
        token = _depth.set(_depth.get() + 1)
        try:
            return await run(self, output_channel, nlg, tracker, domain, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - re-raised unless it is the one failure we soften
            if not (convert and outermost and unreachable(exc)):
                raise
            events = fallback_events(self.name(), tracker)
            if events is None:
                raise
            logger.warning("The action server is unreachable: '%s' answered with the "
                           "fallback reply (%d event(s)).", self.name(), len(events))
            return events
        finally:
            _depth.reset(token)

    setattr(wrapped, _INSTALLED, True)
    return wrapped


def install() -> None:
    """Wrap Rasa's remote actions and loops once (idempotent)."""
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction
    from rasa.core.actions.loops import LoopAction

    for cls, convert in ((RemoteAction, True), (LoopAction, True), (ActionExtractSlots, False)):
        if not getattr(cls.run, _INSTALLED, False):
            cls.run = _fail_soft(cls.run, convert=convert)


install()  # on import: Rasa imports this module through bot.rasa_ext.stores (endpoints.yml)
