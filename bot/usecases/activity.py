"""Logging what a person did: every activity one message reports, each with its own minutes.

`read_activities` (pure) reads one parse result. The activities and exercises are the
parse's `activity` and `exercise` entities: the clinical reader keeps only what the
speaker did, so "didn't walk today" names a walk that was not done. The minutes are
every duration bot.parsing reads in the text (`duration_spans`); each goes to the
nearest activity named in its clause (`bot.parsing.clauses`), one duration per
activity:

- "I walked 25 minutes this morning and did the child's pose": a 25-minute walk, and
  the child's pose (stretching) without minutes;
- "swam for 20 min then walked 15 minutes": a 20-minute swim and a 15-minute walk.

A duration in a clause that names no activity ("walked this morning, about 25 minutes")
goes to the nearest activity still without minutes. A named exercise decides its
activity; a general word of the same kind ("did my stretches: the cat cow") is that
exercise, not a second session. A walk is stop-and-go (bot.coaching.is_stop_and_go)
when the text around it, up to the activities named before and after it, says so.

`log_activities` logs every session and reads the week's for the reply, in one
transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from bot import coaching, lexicon
from bot.knowledge import default_knowledge_base
from bot.nlu import schema  # the names only: no spaCy in the action server
from bot.parsing import clauses, duration_spans
from bot.records import ActivityRecord, ActivityReport
from bot.store import CoachStore
from bot.thresholds import MAX_SESSION_MINUTES, WEEK_DAYS

_NAMED = ("activity", "exercise")
# Statuses the NLU component keeps as said (bot.nlu.clinical.Analysis.entities): an activity in
# a plan or question ("could I do a bird dog?") is named all the same.
_SAID = (schema.AFFIRMED, schema.HYPOTHETICAL)


@dataclass(frozen=True)
class ActivityTurn:
    """What one message reports doing."""

    reports: Tuple[ActivityReport, ...]  # in the order they are named
    denied: bool = False  # it names activities, and none of them was done ("didn't walk today")

    def says_minutes(self) -> bool:
        return any(r.minutes is not None for r in self.reports)


@dataclass(frozen=True)
class _Mention:
    kind: str
    exercise_id: Optional[str]
    done: bool  # False: negated, someone else's, over; it still takes its own minutes
    start: Optional[int] = None  # character offsets; None for an entity without them
    end: Optional[int] = None


@dataclass
class _Session:
    kind: str
    exercise_id: Optional[str]
    minutes: Optional[float]
    around: List[str] = field(default_factory=list)  # the text around each mention of it


def _minutes(value) -> Optional[float]:
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= MAX_SESSION_MINUTES else None


def _offset(value) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _mention(entity: str, value, done: bool, start=None, end=None) -> Optional[_Mention]:
    if value is None:
        return None
    value = str(value).strip().lower()
    if entity == "exercise":
        exercise = default_knowledge_base().get(value)
        if exercise is None:
            return None
        kind, exercise_id = exercise.activity, exercise.id
    else:
        kind, exercise_id = lexicon.canonical("activity", value), None
        if kind is None:
            return None
    start, end = _offset(start), _offset(end)
    if start is None or end is None or end < start:
        start = end = None
    return _Mention(kind, exercise_id, done, start, end)


def _mentions(parse: Mapping, text: str) -> List[_Mention]:
    """The activities and exercises the parse names, done or not, in the order written.

    The clinical reader's entities are what was done; its findings (offsets, no text)
    hold those not done. Without the clinical key (an older model, a hand-written parse)
    the lexicon and the knowledge base fill in what the entities miss, as
    actions.common.canonical_values does.
    """
    found: List[_Mention] = []
    for ent in parse.get("entities") or []:
        if isinstance(ent, Mapping) and ent.get("entity") in _NAMED:
            mention = _mention(ent["entity"], ent.get("value"), True, ent.get("start"), ent.get("end"))
            if mention is not None:
                found.append(mention)
    screened = isinstance(parse.get(schema.CLINICAL_KEY), Mapping)
    if screened:
        for finding in parse[schema.CLINICAL_KEY].get("findings") or []:
            if (isinstance(finding, Mapping) and finding.get("entity") in _NAMED
                    and finding.get("status") not in _SAID):
                mention = _mention(finding["entity"], finding.get("value"), False,
                                   finding.get("start"), finding.get("end"))
                if mention is not None:
                    found.append(mention)
    else:
        kinds = {m.kind for m in found}
        found.extend(_Mention(kind, None, True) for kind in lexicon.find_values("activity", text)
                     if kind not in kinds)
    if not found or (not screened and not any(m.exercise_id for m in found)):
        exercise = default_knowledge_base().find(text)  # a name the matcher did not catch
        if exercise is not None:
            found.append(_Mention(exercise.activity, exercise.id, True))
    located = sorted((m for m in found if m.start is not None), key=lambda m: (m.start, m.end))
    return located + [m for m in found if m.start is None]


def _gap(mention: _Mention, start: int, end: int) -> int:
    return max(0, start - mention.end, mention.start - end)


def _pair(text: str, mentions: Sequence[_Mention]) -> Dict[int, float]:
    """Mention index -> its minutes: the durations written in the text, each given to the
    nearest mention of its clause (the one before it on a tie), one duration per mention;
    then those in a clause that names nothing, to the nearest mention still without one."""
    bounds = clauses(text)

    def clause(position: int) -> int:
        return next((k for k, (a, b) in enumerate(bounds) if a <= position < b), len(bounds) - 1)

    durations = [(s, e, m) for s, e, m in duration_spans(text) if _minutes(m) is not None]
    named_in = {clause(m.start) for m in mentions}
    candidates = sorted(
        (_gap(m, s, e), m.start > s, d, i)
        for d, (s, e, _) in enumerate(durations) for i, m in enumerate(mentions)
        if clause(m.start) == clause(s))
    paired: Dict[int, float] = {}
    used = set()
    for _, _, d, i in candidates:
        if d not in used and i not in paired:
            paired[i] = durations[d][2]
            used.add(d)
    for s, e, minutes in (x for x in durations if clause(x[0]) not in named_in):
        free = [i for i in range(len(mentions)) if i not in paired]
        if not free:
            break
        nearest = min(free, key=lambda i: (_gap(mentions[i], s, e), mentions[i].start > s))
        paired[nearest] = minutes
    return paired


def _first_minutes(parse: Mapping, text: str) -> Optional[float]:
    """The minutes of a parse whose activity has no offsets (a button payload): the first
    duration entity, else the first duration in the text."""
    for ent in parse.get("entities") or []:
        if isinstance(ent, Mapping) and ent.get("entity") == "duration":
            minutes = _minutes(ent.get("value"))
            if minutes is not None:
                return minutes
    return next((m for _, _, m in duration_spans(text) if _minutes(m) is not None), None)


def _around(text: str, mentions: Sequence[_Mention], i: int) -> str:
    """The text that belongs to mention i: from the mention before it to the one after it."""
    if mentions[i].start is None:
        return text
    before = [m.end for m in mentions[:i] if m.end is not None]
    after = [m.start for m in mentions[i + 1:] if m.start is not None]
    return text[(before[-1] if before else 0):(after[0] if after else len(text))]


def _sessions(text: str, mentions: Sequence[_Mention], minutes: Dict[int, float]) -> List[_Session]:
    """One session per named exercise or kind, in the order named: a general word ("my
    stretches") is the exercise of its kind named with it, unless both have minutes."""
    kb = default_knowledge_base()
    not_done = {m.exercise_id for m in mentions if not m.done}
    named = {m.exercise_id for m in mentions}
    sessions: List[_Session] = []
    for i, mention in enumerate(mentions):
        if not mention.done:
            continue
        around = _around(text, mentions, i)
        exercise_id = mention.exercise_id
        if exercise_id is None:  # "the piriformis and hamstring stretches": which stretch
            exercise = kb.find(around)
            if (exercise is not None and exercise.activity == mention.kind
                    and exercise.id not in named and exercise.id not in not_done):
                exercise_id = exercise.id
        sessions.append(_Session(mention.kind, exercise_id, minutes.get(i), [around]))
    exercises = [s for s in sessions if s.exercise_id is not None]
    kept: List[_Session] = []
    for session in sessions:
        if session.exercise_id is None:
            same = next((e for e in exercises if e.kind == session.kind
                         and (e.minutes is None or session.minutes is None)), None)
            if same is not None:
                same.minutes = session.minutes if same.minutes is None else same.minutes
                same.around.extend(session.around)
                continue
        kept.append(session)
    return kept


def read_activities(parse: Optional[Mapping]) -> ActivityTurn:
    """Every activity one parse result reports doing, each with its own minutes."""
    parse = parse if isinstance(parse, Mapping) else {}
    text = parse.get("text") if isinstance(parse.get("text"), str) else ""
    mentions = _mentions(parse, text)
    done = [m for m in mentions if m.done]
    if not done:
        return ActivityTurn((), denied=bool(mentions))
    if any(m.start is None for m in done):  # nothing to pair by: the first minutes, to the first named
        mentions, first = done, _first_minutes(parse, text)
        minutes = {} if first is None else {0: first}
    else:
        minutes = _pair(text, mentions)
    reports = tuple(
        ActivityReport(s.kind, s.minutes, s.exercise_id,
                       stop_and_go=s.kind == "walking" and any(coaching.is_stop_and_go(t) for t in s.around))
        for s in _sessions(text, mentions, minutes))
    return ActivityTurn(reports)


@dataclass(frozen=True)
class ActivityLog:
    """What was logged, the week's sessions (these included), and the reply."""

    records: Tuple[ActivityRecord, ...]
    week: Tuple[ActivityRecord, ...]
    lines: Tuple[str, ...]


def log_activities(store: CoachStore, sender: str, reports: Sequence[ActivityReport],
                   at: datetime) -> ActivityLog:
    """Log each reported session at `at` and read the week's sessions, in one transaction.

    A stop-and-go walk is logged without its minutes, so weekly totals and today's plan
    count continuous sessions only; the reply still names them.
    """
    records = tuple(ActivityRecord(at=at, kind=r.kind, minutes=None if r.stop_and_go else r.minutes,
                                   exercise_id=r.exercise_id) for r in reports)
    with store.transaction():
        store.add_activities(sender, records)
        week = store.activities_since(sender, at - timedelta(days=WEEK_DAYS))
    return ActivityLog(records, week, tuple(coaching.activities_feedback(reports, week)))
