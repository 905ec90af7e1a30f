"""Plain records of the nudge system, shared by the pure policy, the store and the dispatcher.

Times: `datetime` values here are naive UTC (as everywhere in the store); `time`
values in preferences and `date` values of a nudge are the person's *local* wall
clock and calendar day in `NudgeSettings.zone`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Dict, Mapping, Optional, Tuple

# What a person can ask to be reminded of.
KINDS = ("checkin", "walk", "sleep")
# What a nudge can say: a kind, or the once-a-day "have you been assessed?" that replaces
# check-in and walking nudges while a red flag is open.
ASSESSED = "assessed"
MESSAGE_KINDS = KINDS + (ASSESSED,)

# Outbox statuses. pending -> claimed -> sending -> sent | unknown | failed;
# pending|claimed -> skipped. `unknown`: the request left and no answer came: never repeated.
PENDING, CLAIMED, SENDING, SENT, SKIPPED, FAILED, UNKNOWN = (
    "pending", "claimed", "sending", "sent", "skipped", "failed", "unknown")
STATUSES = (PENDING, CLAIMED, SENDING, SENT, SKIPPED, FAILED, UNKNOWN)
FINAL_STATUSES = (SENT, SKIPPED, FAILED, UNKNOWN)

DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)


@dataclass(frozen=True)
class ReminderPref:
    """One kind of reminder: the local time it goes out and whether it is on."""

    kind: str            # one of KINDS
    at: time             # local wall-clock time
    on: bool = True
    since: Optional[datetime] = None   # set or switched on at (UTC): no slot before it is owed


@dataclass(frozen=True)
class NudgeSettings:
    """A person's nudge preferences as stored."""

    zone: Optional[str] = None          # IANA name; None = not told yet (treated as UTC)
    reminders: Tuple[ReminderPref, ...] = ()
    quiet_start: time = DEFAULT_QUIET_START   # local; quiet from here...
    quiet_end: time = DEFAULT_QUIET_END       # ...to here (may wrap midnight)
    paused_until: Optional[date] = None       # local date nudges resume on (paused before it)
    channel: Optional[str] = None             # "telegram", "socketio", "rest"
    chat_id: Optional[str] = None             # the conversation id on that channel
    unreachable: bool = False                 # Telegram said the bot is blocked (403)

    def reminder(self, kind: str) -> Optional[ReminderPref]:
        return next((r for r in self.reminders if r.kind == kind), None)


@dataclass(frozen=True)
class Slot:
    """One nudge the preferences ask for: kind on a local date, due at a UTC instant."""

    kind: str
    local_date: date
    due_at: datetime     # naive UTC


@dataclass(frozen=True)
class SentNudge:
    """A nudge that went out (status sent or unknown), for caps, rotation and back-off."""

    kind: str            # one of MESSAGE_KINDS (what it said)
    local_date: date
    variant: int
    at: datetime         # naive UTC, when it was sent


@dataclass(frozen=True)
class NudgeFacts:
    """What the send-time checks need to know about a person, read at send time."""

    checked_in_today: bool = False           # a check-in exists for the slot's local date
    longest_walk_today: float = 0.0          # minutes of the longest single walk logged that day
    walk_target: int = 20                    # today's continuous-walk target from their plan
    poor_nights: int = 0                     # consecutive poor nights logged, newest first
    red_flag_open: bool = False              # an unresolved tier 1-2 escalation
    sent: Tuple[SentNudge, ...] = ()         # nudges sent in the last WEEK_DAYS local days
    last_message_at: Optional[datetime] = None  # their latest own message (naive UTC)


@dataclass(frozen=True)
class NudgeMessage:
    """What a nudge says: chosen by the policy, rendered by bot.nudges.wording.

    Travels from the dispatcher to the action server as the entities of the
    `EXTERNAL_nudge` intent, so the tracker records the nudge and the action that
    speaks it needs no database.
    """

    kind: str                       # one of MESSAGE_KINDS
    variant: int = 0                # rotation index of the wording
    walk_minutes: Optional[int] = None   # walking: today's target
    sleep_tip: Optional[int] = None      # check-in after poor nights / sleep nudge: which tip
    offer_pause: bool = False            # after unanswered nudges: offer to pause

    ENTITY = "nudge"

    def to_entities(self) -> Dict[str, Any]:
        values = {"nudge_kind": self.kind, "nudge_variant": self.variant,
                  "nudge_walk_minutes": self.walk_minutes, "nudge_sleep_tip": self.sleep_tip,
                  "nudge_offer_pause": self.offer_pause}
        return {k: v for k, v in values.items() if v is not None}

    @classmethod
    def from_entities(cls, values: Mapping[str, Any]) -> Optional["NudgeMessage"]:
        """Rebuild from trigger_intent entities (a dict, or Rasa's list of {entity, value})."""
        if not isinstance(values, Mapping):
            try:
                values = {e.get("entity"): e.get("value") for e in values or [] if isinstance(e, Mapping)}
            except TypeError:
                return None
        kind = values.get("nudge_kind")
        if kind not in MESSAGE_KINDS:
            return None

        def _int(value: Any) -> Optional[int]:
            try:
                return int(value) if value is not None else None
            except (TypeError, ValueError):
                return None

        offer = values.get("nudge_offer_pause")
        return cls(kind=kind, variant=_int(values.get("nudge_variant")) or 0,
                   walk_minutes=_int(values.get("nudge_walk_minutes")),
                   sleep_tip=_int(values.get("nudge_sleep_tip")),
                   offer_pause=offer is True or str(offer).lower() == "true")


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one slot at send time."""

    send: bool
    reason: str = ""                         # why it is skipped ("paused", "quiet_hours", ...)
    message: Optional[NudgeMessage] = None   # what to say when sending

    @classmethod
    def skip(cls, reason: str) -> "Decision":
        return cls(send=False, reason=reason)


@dataclass(frozen=True)
class OutboxItem:
    """One claimed outbox row, with everything the dispatcher needs to act on it."""

    id: int
    sender_id: str
    kind: str
    local_date: date
    due_at: datetime
    attempts: int = 0
    settings: NudgeSettings = field(default_factory=NudgeSettings)
