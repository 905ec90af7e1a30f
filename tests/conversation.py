"""Drive the custom actions the way Rasa does over a conversation, without the Rasa server.

Each `say` builds the tracker the action server would receive: the latest message with the
real clinical parse, the slots and events so far (slot changes from earlier actions included),
the active form. For a check-in message it runs the form's validation (activation, or an
answer to the requested slot) and, once nothing is left to ask, `action_record_checkin`,
exactly as the rules do. A message the form turns down mid check-in (a digression) is
recorded as Rasa records it (the form's `action_execution_rejected` event); given the
`action` its rule runs (or the name of the response it utters), the form comes back as
Rasa's does after an unhappy path (validation with no new message, its own ActionExecuted
last), then asks again or finishes. The dialogue policies themselves are covered by the
e2e test stories and the REST tests against the real servers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ActionRecordCheckin, ValidateCheckinForm
from tests.conftest import clinical_parse

CHECKIN_INTENTS = ("report_symptoms", "start_checkin")
FORM = "checkin_form"


class Conversation:
    def __init__(self, domain: Dict[str, Any], sender: str = "tester", channel: Optional[str] = None) -> None:
        self.domain = domain
        self.sender = sender
        self.channel = channel  # the input channel of the person's messages (None: rest-like)
        self.slots: Dict[str, Any] = {}
        self.events: List[Dict[str, Any]] = []
        self.active_loop: Optional[str] = None
        self.replies: List[Dict[str, Any]] = []  # what the latest `say` made the coach send

    @property
    def text(self) -> str:
        """The replies as the person reads them; a domain response shows as `[name] its text`."""
        return "\n".join(m.get("text") or self._response(m) for m in self.replies)

    def _response(self, message: Dict[str, Any]) -> str:
        name = message.get("response") or ""
        variants = self.domain.get("responses", {}).get(name) or [{"text": ""}]
        values = {**self.slots, **message.get("custom", {}), **message}
        text = variants[0].get("text", "")
        for key, value in values.items():
            text = text.replace("{" + str(key) + "}", str(value))
        return f"[{name}] {text}"

    def _tracker(self, latest: Dict[str, Any], latest_action: str, extra=()) -> Tracker:
        return Tracker(sender_id=self.sender, slots=dict(self.slots), latest_message=latest,
                       events=list(self.events) + list(extra), paused=False, followup_action=None,
                       active_loop={"name": self.active_loop} if self.active_loop else {},
                       latest_action_name=latest_action)

    async def run(self, action, latest: Dict[str, Any], latest_action: str = "action_listen", extra=(),
                  record: Optional[str] = None):
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self._tracker(latest, latest_action, extra), self.domain)
        self.replies += dispatcher.messages
        self.events.append({"event": "action", "name": record or action.name()})
        for event in events:
            self.events.append(event)
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "active_loop":
                self.active_loop = event.get("name")
        return events

    def utter(self, response: str) -> None:
        """A rule's response step (`utter_you_are_welcome`), as Rasa runs it."""
        self.replies.append({"response": response})
        self.events.append({"event": "action", "name": response})

    async def nudge(self, entities: Dict[str, Any], action) -> str:
        """The scheduler's trigger_intent: EXTERNAL_nudge with the nudge as entities."""
        latest = {"text": None, "intent": {"name": "EXTERNAL_nudge", "confidence": 1.0},
                  "entities": [{"entity": k, "value": v} for k, v in entities.items()]}
        self.events += [{"event": "action", "name": "action_listen"},
                        {"event": "user", "text": None, "parse_data": latest, "input_channel": None}]
        self.replies = []
        await self.run(action, latest)
        return self.text

    async def say(self, text: str, intent: str, entities: Optional[List[Dict[str, Any]]] = None,
                  action: Union[None, str, Any] = None) -> str:
        """One user turn. `action` (an action, or a response's name) is what the rules run for a
        message outside the check-in form, or for one the form turns down mid check-in."""
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, **clinical_parse(text, intent)}
        if entities is not None:
            latest["entities"] = entities
        self.events += [{"event": "action", "name": "action_listen"},
                        {"event": "user", "text": text, "parse_data": latest,
                         "input_channel": self.channel}]
        self.replies = []
        if self.active_loop == FORM or (action is None and intent in CHECKIN_INTENTS):
            if await self._checkin_turn(latest):
                return self.text
            if action is None:
                self.replies.append({"text": "<form rejected: a rule handles this message>"})
                return self.text
            await self._answer(action, latest)  # the digression's rule
            if self.active_loop == FORM:  # the rule did not end the form: it comes back
                await self._checkin_turn(latest, after=action if isinstance(action, str) else action.name())
        elif action is not None:
            await self._answer(action, latest)
        return self.text

    async def _answer(self, action, latest: Dict[str, Any]) -> None:
        if isinstance(action, str):
            self.utter(action)
        else:
            await self.run(action, latest)

    async def _checkin_turn(self, latest: Dict[str, Any], after: str = "action_listen") -> bool:
        """One run of the form, after the person's message or (`after`: the action that ran
        last) back from a digression. False when the form turned the message down."""
        # Rasa's form hands its validation action a tracker ending in the requested slot and
        # the form's own ActionExecuted (rasa.core.actions.forms.FormAction._temporary_tracker).
        starting = self.active_loop is None
        asked = None if starting else self.slots.get("requested_slot")
        at = len(self.events)
        events = await self.run(ValidateCheckinForm(), latest, latest_action=FORM, record=FORM, extra=[
            {"event": "slot", "name": "requested_slot", "value": asked}, {"event": "action", "name": FORM}])
        if not starting and after == "action_listen" and not events:
            # Rasa logs the rejection in place of the form's run (rasa.core.processor).
            self.events[at] = {"event": "action_execution_rejected", "name": FORM,
                               "policy": "RulePolicy", "confidence": 1.0}
            return False
        if starting:
            self.events.insert(at + 1, {"event": "active_loop", "name": FORM})
            self.active_loop = FORM
        if self.slots.get("requested_slot"):
            self.replies.append({"response": f"utter_ask_{self.slots['requested_slot']}"})
            return True
        self.events.append({"event": "active_loop", "name": None})
        self.active_loop = None
        await self.run(ActionRecordCheckin(), latest, latest_action=FORM)
        return True
