"""Reminder conversations: set, stop, pause, resume, quiet hours and the time zone, in one use case.

The action reads the message (bot.reminder_parsing) and the intent; this decides
what the person asked for, stores it in one place (bot.store) and says it back in
their local time. The reader's words win over the classifier's intent when they
are explicit ("pause for a week" is a pause whatever DIET called it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import List, Optional, Sequence, Tuple

from bot.localtime import local_day
from bot.nudges.policy import is_quiet
from bot.nudges.records import KINDS, NudgeSettings
from bot.reminder_parsing import ReminderRequest
from bot.store.repository import CoachStore

KIND_NAMES = {"checkin": "check-in", "walk": "walking", "sleep": "wind-down for sleep"}
ZONE_QUESTION = "zone"                  # pending_question: which city or time zone
TIME_QUESTION = "reminder_time"         # pending_question prefix: "reminder_time:walk"
QUIET_MARGIN = timedelta(minutes=30)    # quiet hours moved to start this long after a late reminder


@dataclass(frozen=True)
class ReminderReply:
    lines: Tuple[str, ...]
    question: Optional[str] = None      # the pending question this reply asks, if any


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def _place(settings: NudgeSettings, place: Optional[str] = None) -> str:
    if settings.zone is None:
        return "UTC"
    if place:
        return f"{place} time"
    return f"{settings.zone.split('/')[-1].replace('_', ' ')} time"


def _names(kinds: Sequence[str]) -> str:
    words = [KIND_NAMES[k] for k in kinds]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _schedule(settings: NudgeSettings) -> str:
    on = [r for r in settings.reminders if r.on]
    return ", ".join(f"{KIND_NAMES[r.kind]} at {_clock(r.at)}" for r in on)


def _after(at: time, delta: timedelta) -> time:
    moved = datetime.combine(date(2000, 1, 1), at) + delta
    return moved.time()


def handle(store: CoachStore, sender: str, channel: Optional[str], request: ReminderRequest,
           intent: Optional[str], now: datetime, open_question: Optional[str] = None) -> ReminderReply:
    """One reminder message, stored and answered."""
    store.set_contact(sender, channel)
    lines: List[str] = []
    if request.zone:
        store.set_zone(sender, request.zone, now)
    settings = store.nudge_settings(sender)
    today = local_day(now, settings.zone)

    if request.resume or (intent == "resume_reminders" and not request.stop):
        return _resume(store, sender, now)
    if request.pause_days or request.pause_until:
        until = request.pause_until or today + timedelta(days=request.pause_days or 0)
        if until <= today:
            return ReminderReply(("That date has already passed. How long shall I pause them, "
                                  "for example \"pause for a week\"?",))
        store.pause_reminders(sender, until)
        return ReminderReply((f"Paused: no reminders until {until.strftime('%A')} {until.day} "
                              f"{until.strftime('%B')}. Say \"turn my reminders back on\" to restart "
                              "them sooner.",))
    if request.stop or (intent == "stop_reminders" and not request.at):
        return _stop(store, sender, request.kinds)
    if request.quiet_start or request.quiet_end:
        start = request.quiet_start or settings.quiet_start
        end = request.quiet_end or settings.quiet_end
        store.set_quiet_hours(sender, start, end)
        lines.append(f"Got it: I won't send you anything between {_clock(start)} and {_clock(end)} "
                     f"({_place(settings, request.place)}).")
        return ReminderReply(tuple(lines))

    kinds = tuple(k for k in request.kinds if k in KINDS)
    if not kinds and open_question and open_question.startswith(TIME_QUESTION + ":"):
        asked = open_question.split(":", 1)[1]
        kinds = (asked,) if asked in KINDS else ()
    if request.at is None:
        if request.zone and not kinds and intent != "set_reminder":
            return _zone_told(settings, request.place)
        kind = kinds[0] if kinds else "checkin"
        return ReminderReply((f"What time would suit you for the {KIND_NAMES[kind]} reminder? "
                              "For example \"at 8am\" or \"every evening\".",),
                             question=f"{TIME_QUESTION}:{kind}")
    kinds = kinds or ("checkin",)
    for kind in kinds:
        store.set_reminder(sender, kind, request.at, now)
    if settings.paused_until is not None and settings.paused_until > today:
        store.resume_reminders(sender, now)
        lines.append("I've lifted your pause as well.")
    if is_quiet(request.at, settings.quiet_start, settings.quiet_end):
        start, end = settings.quiet_start, settings.quiet_end
        if request.at >= start or start < end:
            start = _after(request.at, QUIET_MARGIN)
        else:
            end = request.at
        store.set_quiet_hours(sender, start, end)
        lines.append(f"That was inside your quiet hours, so I've moved them: now {_clock(start)} "
                     f"to {_clock(end)}.")
    settings = store.nudge_settings(sender)
    lines.insert(0, f"Done: a {_names(kinds)} reminder every day at {_clock(request.at)} "
                    f"{_place(settings, request.place)}.")
    question = None
    if settings.zone is None:
        if store.mark_zone_asked(sender, now):
            lines.append("Which city or time zone are you in, so it arrives at "
                         f"{_clock(request.at)} your time? For example \"London\" or \"UTC+2\".")
            question = ZONE_QUESTION
        else:
            lines.append("I'm using UTC until you tell me your city, e.g. \"I live in Tokyo\".")
    return ReminderReply(tuple(lines), question=question)


def _zone_told(settings: NudgeSettings, place: Optional[str]) -> ReminderReply:
    where = f"{place} time ({settings.zone})" if place else settings.zone
    line = f"Thanks, I'll use {where} for your reminders."
    schedule = _schedule(settings)
    if schedule:
        line += f" Your reminders: {schedule}, your time."
    return ReminderReply((line,))


def told_zone(store: CoachStore, sender: str, request: ReminderRequest, now: datetime) -> ReminderReply:
    """An answer to "which city are you in?" (or "I live in Tokyo" at any time)."""
    if not request.zone:
        return ReminderReply(("Sorry, I don't know that place. Could you name a nearby big city, "
                              "or a time zone like \"Europe/Berlin\" or \"UTC+2\"?",), question=ZONE_QUESTION)
    store.set_zone(sender, request.zone, now)
    return _zone_told(store.nudge_settings(sender), request.place)


def _stop(store: CoachStore, sender: str, kinds: Sequence[str]) -> ReminderReply:
    stopped = store.stop_reminders(sender, tuple(k for k in kinds if k in KINDS))
    if not stopped:
        return ReminderReply(("You have no reminders switched on." if not kinds else
                              f"Your {_names(kinds)} reminder is already off.",))
    return ReminderReply((f"Done, your {_names(stopped)} reminder{'s are' if len(stopped) > 1 else ' is'} "
                          "switched off. Say \"turn my reminders back on\" any time.",))


def _resume(store: CoachStore, sender: str, now: datetime) -> ReminderReply:
    kinds = store.resume_reminders(sender, now)
    if not kinds:
        return ReminderReply(("You don't have any reminders yet. Try \"remind me to walk at 2pm\".",))
    settings = store.nudge_settings(sender)
    return ReminderReply((f"Your reminders are back on: {_schedule(settings)} ({_place(settings)}).",))
