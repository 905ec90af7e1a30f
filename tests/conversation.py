"""Drive the custom actions the way Rasa does over a conversation, without the Rasa server.

Each `say` builds the tracker the action server would receive: the latest message with the
real clinical parse, the slots and events so far (slot changes from earlier actions included),
the active form. For a check-in message it runs the form's validation (activation, or an
answer to the requested slot) and, once nothing is left to ask, `action_record_checkin`,
exactly as the rules do. The dialogue policies themselves are covered by the e2e test
stories and the REST tests against the real servers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ActionRecordCheckin, ValidateCheckinForm
from tests.conftest import clinical_parse

CHECKIN_INTENTS = ("report_symptoms", "start_checkin")


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
        return events

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
                  action=None) -> str:
        """One user turn. `action` runs for a message outside the check-in form."""
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, **clinical_parse(text, intent)}
        if entities is not None:
            latest["entities"] = entities
        self.events += [{"event": "action", "name": "action_listen"},
                        {"event": "user", "text": text, "parse_data": latest,
                         "input_channel": self.channel}]
        self.replies = []
        if self.active_loop == "checkin_form" or (action is None and intent in CHECKIN_INTENTS):
            await self._checkin_turn(latest)
        elif action is not None:
            await self.run(action, latest)
        return self.text

    async def _checkin_turn(self, latest: Dict[str, Any]) -> None:
        # Rasa's form hands its validation action a tracker ending in the form's own
        # ActionExecuted (rasa.core.actions.forms.FormAction._temporary_tracker).
        events = await self.run(ValidateCheckinForm(), latest, latest_action="checkin_form",
                                extra=[{"event": "action", "name": "checkin_form"}], record="checkin_form")
        if self.active_loop and not events:
            self.replies.append({"text": "<form rejected: a rule handles this message>"})
            return
        self.active_loop = "checkin_form"
        if self.slots.get("requested_slot"):
            self.replies.append({"response": f"utter_ask_{self.slots['requested_slot']}"})
            return
        self.active_loop = None
        await self.run(ActionRecordCheckin(), latest, latest_action="checkin_form")
