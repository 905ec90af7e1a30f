"""The nudge policy: pure rules, no database, no Rasa, no clock of its own.

Two questions, each answered from plain records (bot.nudges.records) and an
instant `now_utc` the caller passes in:

- `due_slots`: which nudges a person's preferences ask for up to now (planning);
- `decide`: at send time, whether one of them goes out, waits or is skipped, and
  what it says (`NudgeMessage`, rendered by bot.nudges.wording).

Times: every `datetime` is naive UTC, like the store. Preference times and a
slot's `local_date` are the person's local wall clock in `settings.zone` (an IANA
name; None, or a name this machine does not know, means UTC, as in
bot.localtime.local_day).

Local wall times that do not exist (the spring-forward gap) move forward by the
gap; wall times that happen twice (fall back) take the first occurrence.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import FrozenSet, Iterable, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.localtime import local_day
from bot.nudges import wording
from bot.nudges.records import (
    ASSESSED, KINDS, Decision, NudgeFacts, NudgeMessage, NudgeSettings, SentNudge, Slot)
from bot.thresholds import (
    NUDGE_BACKOFF_UNANSWERED, NUDGE_DAILY_CAP, NUDGE_DEFER_MINUTES, NUDGE_HISTORY_DAYS,
    NUDGE_LATE_HOURS)

LATE_WINDOW = timedelta(hours=NUDGE_LATE_HOURS)
DEFER_WINDOW = timedelta(minutes=NUDGE_DEFER_MINUTES)

# Skip reasons (final: the outbox row becomes `skipped` with this reason).
LATE, OFF, UNREACHABLE, PAUSED, QUIET_HOURS, DAILY_CAP, RED_FLAG, DONE, BACKOFF = (
    "late", "off", "unreachable", "paused", "quiet_hours", "daily_cap", "red_flag", "done",
    "backoff")
SKIP_REASONS = (LATE, OFF, UNREACHABLE, PAUSED, QUIET_HOURS, DAILY_CAP, RED_FLAG, DONE, BACKOFF)
# The one reason that is not final: the person is mid-conversation, the row stays pending.
WAIT = "wait"

_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


# --- time ---------------------------------------------------------------------

def _tz(zone: Optional[str]) -> Optional[tzinfo]:
    """The ZoneInfo of an IANA name, or None for UTC (missing or unknown name)."""
    if not zone:
        return None
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _utc_naive(at: datetime) -> datetime:
    """`at` as naive UTC (an aware value is converted; a naive one is taken as UTC)."""
    if at.tzinfo is None:
        return at
    return at.astimezone(timezone.utc).replace(tzinfo=None)


def to_utc(local_date: date, at: time, zone: Optional[str]) -> datetime:
    """The naive-UTC instant of the wall time `at` on `local_date` in `zone`.

    A wall time that does not exist (spring forward) moves forward by the gap:
    01:30 on 2026-03-29 in Europe/London is read as 02:30 BST, the instant 01:30 UTC.
    A wall time that happens twice (fall back) is its first occurrence (fold=0).
    """
    wall = datetime.combine(local_date, at.replace(tzinfo=None, fold=0))
    tz = _tz(zone)
    if tz is None:
        return wall
    first = wall.replace(tzinfo=tz).astimezone(timezone.utc)
    if first.astimezone(tz).replace(tzinfo=None) != wall:
        # Nonexistent: the round trip lands elsewhere. Move the wall time forward by the
        # gap (offset after the transition minus offset before it) and place that.
        gap = (wall.replace(tzinfo=tz, fold=1).utcoffset()
               - wall.replace(tzinfo=tz, fold=0).utcoffset())
        if gap <= timedelta(0):  # the zone database disagrees with itself; keep fold=0
            return first.replace(tzinfo=None)
        first = (wall + gap).replace(tzinfo=tz).astimezone(timezone.utc)
    return first.replace(tzinfo=None)


def local_now(now_utc: datetime, zone: Optional[str]) -> datetime:
    """The naive local wall-clock time in `zone` at the naive-UTC instant `now_utc`."""
    now_utc = _utc_naive(now_utc)
    tz = _tz(zone)
    if tz is None:
        return now_utc
    return now_utc.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)


def local_date(now_utc: datetime, zone: Optional[str]) -> date:
    """The person's local calendar day at the naive-UTC instant `now_utc`."""
    return local_day(_utc_naive(now_utc), zone)


def history_start(now_utc: datetime, zone: Optional[str]) -> date:
    """The first local date of the sent history `decide` needs (`NudgeFacts.sent`).

    Today and the NUDGE_HISTORY_DAYS - 1 local days before it.
    """
    return local_date(now_utc, zone) - timedelta(days=NUDGE_HISTORY_DAYS - 1)


# --- planning -------------------------------------------------------------------

def due_slots(settings: NudgeSettings, now_utc: datetime) -> List[Slot]:
    """The slots of every reminder that is on, for the local today and yesterday, due by now.

    Late ones are included: `decide` skips (and so records) what is too late. A
    reminder at a wall time that happens twice (fall back) is one slot that day,
    at its first occurrence. Sorted by due time, then kind.
    """
    now_utc = _utc_naive(now_utc)
    today = local_date(now_utc, settings.zone)
    slots: List[Slot] = []
    seen = set()
    for pref in settings.reminders:
        if not pref.on or pref.kind not in _KIND_ORDER or pref.kind in seen:
            continue
        seen.add(pref.kind)  # one preference per kind; the first one counts (as in reminder())
        for day in (today - timedelta(days=1), today):
            due = to_utc(day, pref.at, settings.zone)
            if due <= now_utc:
                slots.append(Slot(kind=pref.kind, local_date=day, due_at=due))
    slots.sort(key=lambda s: (s.due_at, _KIND_ORDER[s.kind], s.local_date))
    return slots


def in_quiet_hours(settings: NudgeSettings, now_utc: datetime) -> bool:
    """Whether the local time is in [quiet_start, quiet_end).

    Wraps midnight when start > end (21:00-08:00); start == end means no quiet hours.
    """
    return is_quiet(local_now(now_utc, settings.zone).time(), settings.quiet_start, settings.quiet_end)


def is_quiet(at: time, start: time, end: time) -> bool:
    """Whether the local wall time `at` is in [start, end), wrapping midnight when start > end."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


# --- history ---------------------------------------------------------------------

def unanswered(facts: NudgeFacts) -> int:
    """Nudges sent since the person last wrote (all of them if they never wrote)."""
    last = facts.last_message_at
    return sum(1 for s in facts.sent if last is None or s.at > last)


def sent_on(facts: NudgeFacts, day: date, kind: Optional[str] = None) -> List[SentNudge]:
    """The nudges sent for local date `day` (of one message kind if given), oldest first."""
    return sorted((s for s in facts.sent
                   if s.local_date == day and (kind is None or s.kind == kind)),
                  key=lambda s: s.at)


def rotate(day: date, count: int, avoid: Iterable[int] = ()) -> int:
    """A rotation index for local date `day` among `count`: day.toordinal() % count,
    moved on by one until it is none of `avoid` (kept as is if every index is avoided)."""
    if count <= 1:
        return 0
    avoided: FrozenSet[int] = frozenset(i % count for i in avoid)
    start = day.toordinal() % count
    for step in range(count):
        index = (start + step) % count
        if index not in avoided:
            return index
    return start


# --- send time ----------------------------------------------------------------------

def decide(slot: Slot, settings: NudgeSettings, facts: NudgeFacts, now_utc: datetime) -> Decision:
    """Whether `slot` goes out at `now_utc`, and what it says.

    The checks, in order (the first that applies answers):
    late, off, unreachable, paused, quiet_hours, wait (not final: the person wrote
    within the last few minutes), daily_cap, red flag (check-in and walk become the
    once-a-day "have you been assessed?", else red_flag), done, backoff.
    """
    now_utc = _utc_naive(now_utc)
    zone = settings.zone
    today = local_date(now_utc, zone)

    if now_utc - slot.due_at > LATE_WINDOW:
        return Decision.skip(LATE)
    pref = settings.reminder(slot.kind)
    if pref is None or not pref.on:
        return Decision.skip(OFF)
    if settings.unreachable:
        return Decision.skip(UNREACHABLE)
    if settings.paused_until is not None and today < settings.paused_until:
        return Decision.skip(PAUSED)
    if in_quiet_hours(settings, now_utc):
        return Decision.skip(QUIET_HOURS)
    if facts.last_message_at is not None and now_utc - facts.last_message_at < DEFER_WINDOW:
        return Decision(send=False, reason=WAIT)
    if len(sent_on(facts, today)) >= NUDGE_DAILY_CAP:
        return Decision.skip(DAILY_CAP)

    kind = slot.kind
    if facts.red_flag_open and kind in ("walk", "checkin"):
        if sent_on(facts, today, ASSESSED):
            return Decision.skip(RED_FLAG)
        kind = ASSESSED
    elif kind == "checkin" and facts.checked_in_today:
        return Decision.skip(DONE)
    elif kind == "walk" and facts.longest_walk_today >= facts.walk_target:
        return Decision.skip(DONE)

    waiting = unanswered(facts)
    if waiting >= NUDGE_BACKOFF_UNANSWERED:
        # Every other day, and one a day: nothing if a nudge went out yesterday or today.
        if sent_on(facts, today - timedelta(days=1)) or sent_on(facts, today):
            return Decision.skip(BACKOFF)
    return Decision(send=True, message=_message(kind, slot, facts,
                                                offer_pause=waiting >= NUDGE_BACKOFF_UNANSWERED))


def _message(kind: str, slot: Slot, facts: NudgeFacts, offer_pause: bool) -> NudgeMessage:
    """What a nudge of message kind `kind` for `slot` says: wording not yesterday's."""
    day = slot.local_date
    yesterday = day - timedelta(days=1)
    variant = rotate(day, wording.variants(kind),
                     avoid=(s.variant for s in sent_on(facts, yesterday, kind)))
    walk_minutes = facts.walk_target if kind == "walk" else None
    tip: Optional[int] = None
    if kind == "sleep":
        tip = variant  # the sleep nudge's variant is its tip, so yesterday's is known
    elif kind == "checkin" and facts.poor_nights >= 2:
        # Not the tip of last night's (or today's) sleep nudge.
        tip = rotate(day, wording.SLEEP_TIP_COUNT,
                     avoid=(s.variant for d in (yesterday, day) for s in sent_on(facts, d, "sleep")))
    return NudgeMessage(kind=kind, variant=variant, walk_minutes=walk_minutes,
                        sleep_tip=tip, offer_pause=offer_pause)
