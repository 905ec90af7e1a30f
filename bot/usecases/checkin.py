"""The daily check-in: one record per local day, amended by every later report that day.

`note_turn` runs for each message of a check-in (the form's answers, a later
"it's in my calf"): it merges what the message says into today's record,
works out the pain direction against the latest earlier location, and writes
the record, any newly mentioned cautions and what set off the spreading, in
one transaction. So a digression, a restart or a new session loses nothing,
and the form never asks again for what was already said today.

`finish` runs when the check-in is complete: the decisions the reply is made
of (acknowledge or update, improvement against earlier days, direction news,
whether to ask what set the spreading off, tier-3 referrals given once per
episode), with the referrals and what helped written in one transaction.

Pure parts (`turn_from_parse`, `merge`, `missing`, `ask_again_after_digression`) take
values and return values.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

from bot import clinical, coaching, escalation, lexicon
from bot.nlu import schema  # the status names only: no spaCy in the action server
from bot.localtime import local_day
from bot.progress import checkin_days, run_before
from bot.records import ActivityRecord, CheckinRecord, MovementNote, Profile
from bot.store import CoachStore
from bot.thresholds import CHECKIN_REASKS_AFTER_DIGRESSION

FIELDS = ("score", "location", "trend")  # what the check-in asks for, in this order
# Statuses under which a mentioned condition still applies: "I had a hip replacement last year".
_CONDITION_STATUSES = (schema.AFFIRMED, schema.RESOLVED)
_DIRECTIONAL = ("centralizing", "peripheralizing")


@dataclass(frozen=True)
class CheckinTurn:
    """What one message says toward today's check-in (affirmed findings only)."""

    score: Optional[float] = None
    locations: Tuple[str, ...] = ()
    side: Optional[str] = None
    symptoms: Tuple[str, ...] = ()
    trend: Optional[str] = None
    spread: Optional[str] = None  # "further" or "retreat" (the reader's spread cue)
    movements: Tuple[str, ...] = ()
    conditions: Tuple[str, ...] = ()

    def says_anything(self) -> bool:
        return any((self.score is not None, self.locations, self.side, self.symptoms, self.trend,
                    self.spread, self.conditions))


def _values(entities: Iterable[Mapping], entity: str) -> List[str]:
    found: List[str] = []
    for ent in entities:
        if ent.get("entity") != entity or ent.get("value") is None:
            continue
        value = lexicon.canonical(entity, str(ent["value"]).strip().lower())
        if value and value not in found:
            found.append(value)
    return found


def _score(entities: Iterable[Mapping]) -> Optional[float]:
    for ent in entities:
        if ent.get("entity") != "pain_score":
            continue
        try:
            value = float(ent.get("value"))
        except (TypeError, ValueError):
            continue
        if 0 <= value <= 10:
            return value
    return None


def _cues(parse: Mapping, entity: str, statuses: Sequence[str] = (schema.AFFIRMED,)) -> List[str]:
    clinical_part = parse.get("clinical") if isinstance(parse.get("clinical"), Mapping) else {}
    found: List[str] = []
    for cue in clinical_part.get("cues") or []:
        if cue.get("entity") == entity and cue.get("status") in statuses and cue.get("value") not in found:
            found.append(cue["value"])
    return found


def turn_from_parse(parse: Optional[Mapping]) -> CheckinTurn:
    """Read one parse result (entities and the clinical reader's cues) into a turn.

    The clinical component keeps only affirmed entities, so "nothing in my legs"
    adds no leg; button payloads ("/inform{"pain_score": "5"}") carry their entity.
    """
    parse = parse or {}
    entities = [e for e in parse.get("entities") or [] if isinstance(e, Mapping)]
    sides = _values(entities, "side")
    spread = _cues(parse, "spread")
    return CheckinTurn(
        score=_score(entities),
        locations=tuple(_values(entities, "body_part")),
        side="both" if len(sides) > 1 else (sides[0] if sides else None),
        symptoms=tuple(_values(entities, "symptom")),
        trend=next(iter(_values(entities, "trend")), None),
        spread=spread[0] if spread else None,
        movements=tuple(_cues(parse, "movement")),
        conditions=tuple(_cues(parse, "condition", _CONDITION_STATUSES)),
    )


def merge(today: Optional[CheckinRecord], turn: CheckinTurn, at: datetime, day: date) -> CheckinRecord:
    """Today's record with this message's news on top: a newly named place replaces the old
    one (it is where it hurts now), symptoms accumulate, a new score or trend wins."""
    base = today or CheckinRecord(at=at, day=day)
    symptoms = tuple(dict.fromkeys(base.symptoms + turn.symptoms))
    return replace(
        base,
        pain_score=turn.score if turn.score is not None else base.pain_score,
        location=clinical.most_distal(turn.locations) or base.location,
        side=turn.side or base.side,
        symptoms=symptoms,
        trend=turn.trend or base.trend,
        day=day,
    )


def missing(record: Optional[CheckinRecord], skipped: Iterable[str] = ()) -> Tuple[str, ...]:
    """What the check-in still has to ask, in FIELDS order. A trend is not needed once the
    direction already says which way the pain went; a skipped question is not asked again."""
    skipped = set(skipped)
    gaps = []
    if record is None or record.pain_score is None:
        gaps.append("score")
    if record is None or record.location is None:
        gaps.append("location")
    if record is None or (record.trend is None and record.direction not in _DIRECTIONAL):
        gaps.append("trend")
    return tuple(f for f in gaps if f not in skipped)


def ask_again_after_digression(question: str, digressed_from: Sequence[str]) -> bool:
    """Coming back to the check-in after a digression: ask `question` again, or let it go?

    `digressed_from` holds the question that was open at each digression since the person
    last answered the check-in (this one included). It is asked again after the first
    digression from it (CHECKIN_REASKS_AFTER_DIGRESSION); after the next it is skipped for
    the day, as "not sure" skips it, and the check-in ends with what is known.
    """
    turned_away = sum(1 for asked in digressed_from if asked == question)
    return turned_away <= CHECKIN_REASKS_AFTER_DIGRESSION


def _history_before(profile: Profile, day: date) -> List[CheckinRecord]:
    return [c for c in profile.checkins if c.day is None or c.day < day]


@dataclass(frozen=True)
class Noted:
    record: Optional[CheckinRecord]  # today's check-in after this message (None: nothing yet)
    missing: Tuple[str, ...]


def note_turn(store: CoachStore, sender: str, turn: CheckinTurn, at: datetime, day: date,
              skipped: Iterable[str] = ()) -> Noted:
    """Merge one message into today's check-in and store it (one transaction).

    Reads today's check-in and the latest earlier one that named a place, not the
    person's history: that is all the merge and the direction look at.
    """
    with store.transaction():
        today, located = store.checkin_context(sender, day)
        if not turn.says_anything():
            if today is not None and today.direction == "peripheralizing":
                store.save_notes(sender, _triggers(turn, at))  # "I'd been sitting all day"
            return Noted(today, missing(today, skipped))
        earlier = (today.location if today and today.location
                   else clinical.previous_location([located] if located else []))
        record = merge(today, turn, at, day)
        direction = clinical.report_direction(earlier, clinical.most_distal(turn.locations),
                                             turn.trend, turn.spread)
        if direction == "unknown" and today is not None and today.direction:
            direction = today.direction  # a later "about a 6" keeps what today already showed
        record = replace(record, direction=direction)
        notes = _triggers(turn, at) if direction == "peripheralizing" else ()
        store.save_checkin_day(sender, day, record, at, cautions=turn.conditions, notes=notes)
        return Noted(record, missing(record, skipped))


def _triggers(turn: CheckinTurn, at: datetime) -> List[MovementNote]:
    """Movements named while the pain spreads ("worse after sitting all day") set it off."""
    return [MovementNote(at, "worse", m) for m in turn.movements]


@dataclass(frozen=True)
class Outcome:
    """What the reply to a finished (or amended) check-in is made of."""

    record: CheckinRecord
    amended: bool  # today's check-in was already reported earlier today
    direction: str
    direction_news: bool  # the direction is new to the person today: say it
    previous: Optional[CheckinRecord]  # the latest scored check-in of an earlier day
    first_score: Optional[float]  # the first score of the stored history
    streak: int
    referral: Tuple[str, ...]  # tier-3 reasons given now (bot.escalation)
    ask_trigger: bool  # pain spreads and nothing says yet what set it off today
    helped: Tuple[str, ...]  # logged movements that came before pain retreated
    history: Tuple[CheckinRecord, ...]
    activities: Tuple[ActivityRecord, ...]
    episode: escalation.EpisodeAge  # how long this episode has run, and counted from what


def _since(activities: Sequence[ActivityRecord], start: Optional[datetime]) -> List[ActivityRecord]:
    return [a for a in activities if start is None or a.at >= start]


def _last_located(history: Sequence[CheckinRecord]) -> Optional[CheckinRecord]:
    located = [c for c in history if c.location]
    return located[-1] if located else None


def _helped(activities: Sequence[ActivityRecord], history: Sequence[CheckinRecord]) -> Tuple[str, ...]:
    """What they logged since the last check-in that named a place: exercise ids first."""
    located = _last_located(history)
    recent = _since(activities, located.at if located else None)
    return tuple(dict.fromkeys([a.exercise_id for a in recent if a.exercise_id]
                               + [a.kind for a in recent if a.kind == "walking"]))


def _window_start(profile: Profile) -> Optional[datetime]:
    """The first instant the profile holds every log from (None: its whole history)."""
    return None if profile.earlier is None else profile.earlier.start


def _activities_back_to(store: CoachStore, sender: str, profile: Profile,
                        starts: Sequence[Optional[datetime]]) -> Tuple[ActivityRecord, ...]:
    """The activities the rules look at from each of `starts` on (None: from the first):
    the profile's own, unless one of them lies before its window (a long gap since
    the last score or place), then the person's from the earliest of them."""
    window = _window_start(profile)
    if window is None or all(start is not None and start >= window for start in starts):
        return profile.activities
    known = [start for start in starts if start is not None]
    return store.activities_since(sender, None if None in starts else min(known))


def finish(store: CoachStore, sender: str, at: datetime, day: date,
           said_today: Optional[str] = None) -> Optional[Outcome]:
    """Decide the reply to today's check-in; `said_today` is the direction already told
    today (None if today's check-in had not been reported yet).

    Reads the person's recent logs and the landmarks of the rest (the windowed
    profile), plus older activities only when the last score or place is older; the
    reads and the notes it keeps are one transaction.
    """
    with store.transaction():
        profile = store.profile(sender, day, sleeps=False)  # sleep plays no part in the reply
        record = next((c for c in reversed(profile.checkins) if c.day == day), None)
        if record is None:
            return None
        history = _history_before(profile, day)
        direction = record.direction or "unknown"
        scored = [c for c in history if c.pain_score is not None]
        notes_today = [n for n in profile.movement_notes if local_day(n.at, profile.zone) == day]
        wants_helped = direction == "centralizing" and said_today != "centralizing"
        starts = [scored[-1].at] if scored else []
        if wants_helped:
            located = _last_located(history)
            starts.append(located.at if located else None)
        activities = _activities_back_to(store, sender, profile, starts)
        helped: Tuple[str, ...] = _helped(activities, history) if wants_helped else ()
        referral = _new_referrals(store, sender, history, record, profile.onset, day)
        store.save_notes(sender, [MovementNote(at, "better", m) for m in helped],
                         escalations=[(escalation.TIER, r) for r in referral], at=at)
    return Outcome(
        record=record,
        amended=said_today is not None,
        direction=direction,
        direction_news=direction in _DIRECTIONAL and direction != said_today,
        previous=scored[-1] if scored else None,
        first_score=scored[0].pain_score if scored else None,
        streak=0 if said_today is not None else clinical.streak_gained(
            checkin_days(history), day, run_before(profile.earlier)),
        referral=referral,
        ask_trigger=direction == "peripheralizing" and not any(n.effect == "worse" for n in notes_today)
        and said_today != "peripheralizing",
        helped=helped,
        history=tuple(history),
        activities=activities,
        episode=escalation.episode_age(history, record, profile.onset, day),
    )


def _new_referrals(store: CoachStore, sender: str, history: Sequence[CheckinRecord],
                   current: CheckinRecord, onset: Optional[date], today: date) -> Tuple[str, ...]:
    """Tier-3 reasons that apply now and were not already given this episode."""
    reasons = escalation.tier3_reasons(history, current, current.direction, onset, today)
    if not reasons:
        return ()
    since = escalation.episode_start(history, current, onset)
    given = store.escalation_reasons_since(sender, since, escalation.TIER)
    return escalation.new_reasons(reasons, given, store.open_escalation(sender) is not None)


def note_movements(store: CoachStore, sender: str, turn: CheckinTurn, at: datetime,
                   effect: str = "worse", exercise_ids: Sequence[str] = ()) -> Tuple[str, ...]:
    """Store what the person said set the spreading off (or eased it); returns what was kept."""
    kept = tuple(dict.fromkeys(tuple(exercise_ids) + turn.movements))
    if kept or turn.conditions:
        store.save_notes(sender, [MovementNote(at, effect, m) for m in kept], cautions=turn.conditions)
    return kept


def reply_lines(outcome: Outcome, asked_again: bool = False) -> List[str]:
    """The check-in reply: full feedback the first time today, a short update after that
    (`asked_again`: they started a check-in again and added nothing)."""
    if not outcome.amended:
        scored = [c for c in outcome.history if c.pain_score is not None]
        return coaching.checkin_feedback(
            outcome.record, outcome.previous, outcome.first_score, outcome.direction,
            outcome.streak, outcome.referral, activities=outcome.activities,
            today=outcome.record.day, first=scored[0] if scored else None, episode=outcome.episode)
    lines = [coaching.checkin_update(outcome.record, asked_again)]
    if outcome.direction_news:
        lines.append(coaching.direction_advice(outcome.direction, outcome.referral, outcome.record.location))
    lines.append(escalation.referral_advice(outcome.referral, outcome.episode) if outcome.referral else None)
    return [line for line in lines if line]
