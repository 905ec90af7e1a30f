"""What a reminder request asks for: kinds, time, time zone, quiet hours, pauses, stop, resume.

`read_reminder_request(text, today)` reads one chat message into a ReminderRequest.
Pure and defensive: any string (empty, emoji, 100k characters) gives a request and
never raises. Quantities are read with bot.parsing (its tokenizer, clock times and
day counts) and places with bot.timezones, so a time is read the same way here as
everywhere else in the coach.

What a message must say for each field:
  * `at`, `kinds`: the message talks about reminders ("remind", "nudge", "ping me",
    "text me", ...) or is nothing but a time and a few filler words ("at lunchtime",
    "every evening", "walk at 6 please"), so "I walked at 2pm" is not a request.
    Times read as bot.parsing.parse_clock_time reads them ("at 6" is 6am unless the
    message says evening); kinds are the ones named: "exercises" names none.
  * `stop`: stop, cancel, no more, turn off, don't send, ... about reminders (a
    reminder word, or "them"/"the ones"/"all", or a message of three words or fewer).
    A pause with no length ("pause my reminders", "hold the nudges", "give the nudges
    a break") is a stop too: reminders stay off until the person turns them back on.
  * `pause_days` / `pause_until`: a pause or stop word with a length ("pause for a
    week", "no reminders for 3 days") or an end ("until Monday", "till tomorrow",
    "until 5 December"; needs `today`), or a bare "for 3 days". `pause_until` is the
    first day reminders come back ("skip today" -> tomorrow, "skip tomorrow" -> the
    day after). A pause is not a stop: `stop` stays False. Without `today` an end
    like "until Monday" cannot be dated: the request then says nothing about pausing.
  * `resume`: back on, resume, restart, unpause, start ... again, switch on, ...
  * `quiet_start` / `quiet_end`: a time after "not/no/nothing/never/don't ... after"
    (start) or "... before" (end), or "between X and Y" after such a word. A quiet
    start of 1-11 o'clock is evening unless the time itself says morning ("after 9"
    is 21:00, "after 9am" 09:00).
  * `zone`, `place`: bot.timezones.zone_from_text on the whole message.
Day parts without a clock time take the constants below.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from bot.parsing import WEEKDAYS, _Tok, _tokens, clock_times, day_counts
from bot.timezones import zone_from_text

# --------------------------------------------------------------------------- day parts (one home)

MORNING = time(8, 30)
LUNCHTIME = time(12, 30)
AFTERNOON = time(15, 0)
EVENING = time(19, 0)
TONIGHT = time(20, 0)
NIGHT = time(21, 0)

DAY_PART_TIMES: Dict[str, time] = {
    "morning": MORNING, "mornings": MORNING, "breakfast": MORNING,
    "lunch": LUNCHTIME, "lunchtime": LUNCHTIME, "lunchtimes": LUNCHTIME,
    "afternoon": AFTERNOON, "afternoons": AFTERNOON,
    "evening": EVENING, "evenings": EVENING, "dinner": EVENING,
    "tonight": TONIGHT,
    "night": NIGHT, "nights": NIGHT,
}
KINDS: Tuple[str, ...] = ("checkin", "walk", "sleep")


@dataclass(frozen=True)
class ReminderRequest:
    kinds: Tuple[str, ...] = ()          # subset of ("checkin", "walk", "sleep") named in the text
    at: Optional[time] = None            # local time asked for (clock time or day part)
    zone: Optional[str] = None           # IANA zone named in the text
    place: Optional[str] = None          # as named, for the confirmation ("Tokyo")
    quiet_start: Optional[time] = None   # "don't message me after 8pm" -> 20:00
    quiet_end: Optional[time] = None     # "not before 9am" / "nothing before 9" -> 09:00
    pause_days: Optional[int] = None     # "pause for a week" -> 7, "for 3 days" -> 3
    pause_until: Optional[date] = None   # first day back: "until Monday", "till tomorrow"
    stop: bool = False                   # stop / cancel / no more / turn off
    resume: bool = False                 # back on / resume / restart / unpause


# --------------------------------------------------------------------------- vocabulary

_REMINDER_WORDS: FrozenSet[str] = frozenset({
    "remind", "reminds", "reminder", "reminders", "reminding", "nudge", "nudges", "nudging",
    "ping", "pings", "pinging", "notification", "notifications", "notify", "alert", "alerts",
    "alarm", "alarms", "message", "messages", "messaging", "msg", "msgs", "text", "texts",
    "texting", "prompt", "prompts",
})
# Words that refer back to reminders already mentioned ("stop the walking ones").
_REFERENCES: FrozenSet[str] = frozenset({"ones", "them", "those", "these", "all", "everything"})
_NEGATIONS: FrozenSet[str] = frozenset({"not", "no", "nothing", "never", "none", "dont"})
_QUIET_WORDS: FrozenSet[str] = frozenset({"quiet", "silent", "silence", "disturb"})
# Words that may stand around a time in a bare answer ("every evening at 7 please").
_FILLERS: FrozenSet[str] = frozenset("""
    at around about by every each daily day days on in the a an please pls ok okay then maybe
    how make it instead and or weekdays weekday weekends weekend tomorrow today from now also
    just say lets let us is be would could like prefer i d id want set move change to for my
    me can you yes yeah sure sounds good great perfect fine time o oclock am pm noon midday
    midnight half past quarter til till until ish approx roughly same usual again of every
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
    thursdays fridays saturdays sundays this next s that works better later earlier do
    one ones reminder reminders nudge nudges week weeks month
""".split()) | frozenset(DAY_PART_TIMES)
_STOP_WORDS: FrozenSet[str] = frozenset({
    "stop", "cancel", "disable", "deactivate", "mute", "silence", "unsubscribe", "quit",
    "remove", "delete",
})
# A pause: with a length it pauses, without one it stops until turned back on.
_PAUSE_WORDS: FrozenSet[str] = frozenset({"pause", "snooze", "suspend"})
_HOLD_WORDS: FrozenSet[str] = frozenset({"hold"})
# These pause only with a length, and only about reminders ("a break from the nudges for a week").
_PAUSE_IF_LONG: FrozenSet[str] = frozenset({"break", "skip", "rest", "holiday", "vacation", "away", "off"})
_BREAKS: FrozenSet[str] = frozenset({"break", "rest", "breather"})
_EASE_OFF: FrozenSet[str] = frozenset({"ease", "back", "lay", "hold", "leave"})
_AGAIN_VERBS: FrozenSet[str] = frozenset({
    "start", "starting", "send", "sending", "have", "want", "get", "need", "message", "text", "contact",
})
_SWITCH_VERBS: FrozenSet[str] = frozenset({"turn", "switch", "shut", "put", "set", "take"})
_SET_VERBS: FrozenSet[str] = frozenset({"remind", "nudge", "ping", "text", "message", "alert", "notify", "tell"})
_RESUME_WORDS: FrozenSet[str] = frozenset({
    "resume", "restart", "unpause", "reactivate", "activate", "reenable", "reinstate", "enable", "unmute",
})
_SEND_VERBS: FrozenSet[str] = frozenset({
    "remind", "send", "message", "text", "ping", "nudge", "want", "need", "notify", "contact", "bother",
})
_ZONE_TOKENS: FrozenSet[str] = frozenset({"time", "zone", "timezone", "im", "i", "m", "live", "in", "based"})
_MONTHS: Dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1,
    "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_ANY_DAY = date(2000, 1, 3)  # stands in for today to recognise "until Monday" when today is unknown
_UNTIL: FrozenSet[str] = frozenset({"until", "till", "til", "untill", "unitl"})

_KIND_WORDS: Dict[Tuple[str, ...], str] = {
    ("check", "in"): "checkin", ("check", "ins"): "checkin", ("checkin",): "checkin",
    ("checkins",): "checkin", ("checking", "in"): "checkin", ("daily", "check"): "checkin",
    ("walk",): "walk", ("walks",): "walk", ("walking",): "walk", ("stroll",): "walk",
    ("strolls",): "walk",
    ("sleep",): "sleep", ("sleeping",): "sleep", ("bedtime",): "sleep", ("bed",): "sleep",
    ("wind", "down"): "sleep", ("winddown",): "sleep", ("winding", "down"): "sleep",
    ("lights", "out"): "sleep",
}

_KIND_TOKENS: FrozenSet[str] = frozenset(w for key in _KIND_WORDS for w in key)
_BARE_WORDS: FrozenSet[str] = _FILLERS | _KIND_TOKENS | _ZONE_TOKENS


# --------------------------------------------------------------------------- helpers

def _w(words: Sequence[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else ""


def _kinds(words: Sequence[str]) -> Tuple[str, ...]:
    named: Set[str] = set()
    for i in range(len(words)):
        for size in (2, 1):
            kind = _KIND_WORDS.get(tuple(words[i:i + size]))
            if kind is not None:
                named.add(kind)
                break
    return tuple(k for k in KINDS if k in named)


def _negation_before(words: Sequence[str], i: int, reach: int = 6) -> Optional[int]:
    """Where a negation or quiet-hours word stands in the few words before i ("don't message me after")."""
    for k in range(i - 1, max(-1, i - 1 - reach), -1):
        if words[k] in _NEGATIONS or words[k] in _QUIET_WORDS:
            return k
        if words[k] in ("but", "and", "remind", ",", ".", ";"):
            return None
    return None


def _said_morning(words: Sequence[str], start: int, end: int) -> bool:
    """The time itself says morning ("9am", "9 in the morning"), not just a word nearby."""
    return any(w in ("am", "morning", "mornings") for w in words[start:end])


def _quiet(words: Sequence[str], times: Sequence[Tuple[int, int, time, Optional[str]]],
           used: Set[int]) -> Tuple[Optional[time], Optional[time]]:
    start: Optional[time] = None
    end: Optional[time] = None
    for n, (s, e, at, _) in enumerate(times):
        before = _w(words, s - 1)
        negation = _negation_before(words, s - 1)
        if negation is None:
            continue
        if before in ("after", "past"):
            if 1 <= at.hour <= 11 and not _said_morning(words, s, e):
                at = at.replace(hour=at.hour + 12)  # "nothing after 9": 9pm
            start = at
        elif before in ("before", "until", "till", "til"):
            end = at
        elif before in ("between", "from") and n + 1 < len(times):
            s2, e2, at2, _ = times[n + 1]
            if _w(words, e) not in ("and", "to", "-", "till", "until") or s2 != e + 1:
                continue
            if 1 <= at.hour <= 11 and not _said_morning(words, s, e):
                at = at.replace(hour=at.hour + 12)  # "between 10 and 7": 10pm
            start, end = at, at2
            used.update(range(s2, e2))
        else:
            continue
        used.update(range(negation, e))
    return start, end


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _month_day(today: date, month: int, day: int) -> Optional[date]:
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found > today:
            return found
    return None


def _ordinal_day(words: Sequence[str], i: int) -> Optional[Tuple[int, int]]:
    """'5', '5th', '21st' at i -> (day, next index)."""
    w = _w(words, i)
    if not (w.isdecimal() and 1 <= int(w) <= 31):
        return None
    j = i + 1
    if _w(words, j) in ("st", "nd", "rd", "th"):
        j += 1
    return int(w), j


def _until(words: Sequence[str], i: int, today: date) -> Optional[Tuple[date, int]]:
    """The date after 'until' at word i -> (first day back, next index)."""
    j = i
    if _w(words, j) == "after":
        j += 1
        if _w(words, j) == "the" and _w(words, j + 1) == "weekend":
            return _next_weekday(today, 0), j + 2
    if _w(words, j) in ("next", "this", "the"):
        lead = _w(words, j)
        j += 1
        if lead == "next" and _w(words, j) == "week":
            return _next_weekday(today, 0), j + 1
        if lead == "the" and _w(words, j) == "weekend":
            return _next_weekday(today, 5), j + 1
        if lead == "the" and _w(words, j) == "day" and _w(words, j + 1) == "after" and _w(words, j + 2) == "tomorrow":
            return today + timedelta(days=2), j + 3
    w = _w(words, j)
    if w == "tomorrow":
        return today + timedelta(days=1), j + 1
    if w == "weekend":
        return _next_weekday(today, 5), j + 1
    if w in WEEKDAYS:
        return _next_weekday(today, WEEKDAYS[w]), j + 1
    if w in _MONTHS:  # "December 5", "Dec 5th"
        day = _ordinal_day(words, j + 1)
        if day is not None:
            found = _month_day(today, _MONTHS[w], day[0])
            return (found, day[1]) if found else None
        return None
    day = _ordinal_day(words, j)
    if day is not None:  # "5 December", "the 5th of December", "the 5th"
        k = day[1] + (1 if _w(words, day[1]) == "of" else 0)
        if _w(words, k) in _MONTHS:
            found = _month_day(today, _MONTHS[_w(words, k)], day[0])
            return (found, k + 1) if found else None
        if _w(words, j - 1) == "the":
            for months_ahead in range(0, 3):
                month = (today.month - 1 + months_ahead) % 12 + 1
                year = today.year + (today.month - 1 + months_ahead) // 12
                try:
                    found = date(year, month, day[0])
                except ValueError:
                    continue
                if found > today:
                    return found, day[1]
    return None


def _phrase(words: Sequence[str], *phrases: str) -> bool:
    joined = " " + " ".join(words) + " "
    return any(" " + p + " " in joined for p in phrases)


# --------------------------------------------------------------------------- the reader

def _asked_task_start(words: Sequence[str]) -> int:
    """Where the task of "remind me to ..." / "nudge me if ..." starts (len(words) if none).

    Words from there on describe what to be reminded of ("remind me to stop and
    stretch", "to take a break"), so they are not read as stopping or pausing.
    """
    for i, w in enumerate(words):
        if w in _SET_VERBS and _w(words, i + 1) in ("me", "us"):
            for k in range(i + 2, min(len(words), i + 5)):
                if words[k] in ("to", "if", "when", "that", "about"):
                    return k
    return len(words)


def _stop_cue(words: Sequence[str], used: Set[int], limit: int, about_reminders: bool) -> bool:
    for i, w in enumerate(words[:limit]):
        if i in used:
            continue
        nxt = _w(words, i + 1)
        if w in _STOP_WORDS or w in _HOLD_WORDS:
            return True
        if w == "off" and (any(v in _SWITCH_VERBS for v in words[max(0, i - 4):i])
                           or _w(words, i - 1) in _REMINDER_WORDS | _REFERENCES | _EASE_OFF):
            return True
        if w in _BREAKS and _w(words, i - 1) in ("a", "the", "some") and about_reminders:
            return True  # "give the nudges a break", "a rest from the reminders"
        if w == "enough" and (nxt in _REMINDER_WORDS or i == 0):
            return True
        if w == "no" and (nxt in _REMINDER_WORDS or nxt == "more"):
            return True
        if w in _NEGATIONS and (nxt in _SEND_VERBS or (nxt == "any" and _w(words, i + 2) == "more")):
            return True
        if w in ("opt", "unsubscribe") or (w == "take" and nxt == "me" and _w(words, i + 2) == "off"):
            return True
        if w == "done" and nxt == "with":
            return True
        if w == "get" and nxt == "rid":
            return True
    return False


def _resume_cue(words: Sequence[str], limit: int) -> bool:
    head = words[:limit]
    if any(w in _RESUME_WORDS for w in head):
        return True
    if _phrase(head, "back on", "on again", "un pause", "turn on", "switch on", "turn them on",
               "switch them on", "start again", "starting again", "start them again"):
        return True
    if any(w in _SWITCH_VERBS for w in head) and head and head[-1] == "on":
        return True
    if "again" in head and any(w in _AGAIN_VERBS for w in head):
        return True
    if any(w in _REMINDER_WORDS and _w(head, i + 1) == "back" for i, w in enumerate(head)):
        return True  # "i'd like the reminders back"
    return "bring" in head and "back" in head


def _read(text: str, today: Optional[date]) -> ReminderRequest:
    toks: List[_Tok] = _tokens(text)
    if not toks:
        return ReminderRequest()
    words = [t.text for t in toks]  # "don't" arrives as "do not"
    zone_place = zone_from_text(text)
    zone, place = zone_place if zone_place else (None, None)

    about_reminders = any(w in _REMINDER_WORDS for w in words)
    alpha = [w for w in words if w[0].isalnum()]
    refers = (about_reminders or any(w in _REFERENCES for w in words) or len(alpha) <= 3
              or any(w in _SWITCH_VERBS and _w(words, i + 1) == "it" for i, w in enumerate(words)))
    times = clock_times(toks)
    counts = day_counts(toks)
    allowed = _BARE_WORDS | _place_tokens(place) if place else _BARE_WORDS
    quantities = {k for s, e, *_ in list(times) + list(counts) for k in range(s, e)}
    bare = bool(alpha) and all(w in allowed or w[0].isdecimal() or k in quantities
                               for k, w in enumerate(words) if w[0].isalnum())
    limit = _asked_task_start(words)
    used: Set[int] = set()  # tokens already read as quiet hours, a pause length or a date

    quiet_start, quiet_end = _quiet(words, times, used)  # first: their "don't" is not a stop

    resume = refers and _resume_cue(words, limit)
    stop_cue = refers and not resume and _stop_cue(words, used, limit, about_reminders)
    pause_cue = not resume and any(w in _PAUSE_WORDS for w in words[:limit])
    soft_pause = not resume and refers and any(w in _PAUSE_IF_LONG for w in words[:limit])

    pause_days: Optional[int] = None
    pause_until: Optional[date] = None
    until_named = False
    if pause_cue or stop_cue or soft_pause or bare:
        for start, end, days in counts:
            if _w(words, start - 1) in ("every", "each", "per") or _w(words, end) == "ago" or days <= 0:
                continue
            if start >= limit:
                continue
            pause_days = days
            used.update(range(start, end))
            break
        for i, w in enumerate(words[:limit]):
            if w in _UNTIL:
                # without today the end cannot be dated, but it still makes this a pause
                found = _until(words, i + 1, today or _ANY_DAY)
                if found is not None:
                    pause_until = found[0] if today is not None else None
                    until_named = True
                    used.update(range(i, found[1]))
                    break
        skipped = _skipped_day(words[:limit])
        if skipped is not None and pause_days is None and not until_named:
            pause_until = (today + timedelta(days=skipped)) if today is not None else None
            until_named = True
    paused = pause_days is not None or pause_until is not None or until_named
    stop = (stop_cue or pause_cue) and not paused

    request = about_reminders or bare or stop or resume or paused
    kinds = _kinds(words) if request else ()
    at: Optional[time] = None
    if about_reminders or bare:
        for start, end, found, _ in times:
            if start not in used and end - 1 not in used:
                at = found
                break
        if at is None:
            at = _day_part_time(words, used)
    return ReminderRequest(
        kinds=kinds, at=at, zone=zone, place=place, quiet_start=quiet_start, quiet_end=quiet_end,
        pause_days=pause_days, pause_until=pause_until, stop=stop, resume=resume,
    )


def _skipped_day(words: Sequence[str]) -> Optional[int]:
    """"skip today's reminder" -> 1, "skip reminders tomorrow" -> 2: days from today to the first day back.

    Skipping tomorrow pauses from now, so a reminder still due today is skipped too.
    """
    if "skip" not in words:
        return None
    if "today" in words or "tonight" in words:
        return 1
    if "tomorrow" in words:
        return 2
    return None


def _place_tokens(place: str) -> FrozenSet[str]:
    return frozenset(t.text for t in _tokens(place))


def _day_part_time(words: Sequence[str], used: Set[int]) -> Optional[time]:
    for i, w in enumerate(words):
        if w not in DAY_PART_TIMES or i in used:
            continue
        before = _w(words, i - 1)
        if before in ("last", "yesterday", "good") or _negation_before(words, i, reach=3) is not None:
            continue
        if w in ("night", "nights") and before not in ("at", "every", "each", "a", "per", "the", "by"):
            continue
        if w == "dinner" and before != "after":
            continue
        if w == "breakfast" and before != "after":
            continue
        return DAY_PART_TIMES[w]
    return None


def read_reminder_request(text: str, today: Optional[date] = None) -> ReminderRequest:
    """Read a chat message as a reminder request; a message that asks nothing gives ReminderRequest().

    `today` (the person's local date) is needed for "until Monday" / "till tomorrow".
    """
    try:
        if not isinstance(text, str):
            return ReminderRequest()
        return _read(text, today if isinstance(today, date) else None)
    except Exception:  # defensive: reading a message must never break a conversation
        return ReminderRequest()
