"""Plain records passed between the store and the pure rules.

The store turns database rows into these; clinical rules, the planner and the
progress summary only ever see these, so they stay testable without a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Optional, Tuple

BODY_PARTS = (
    "lower_back", "upper_back", "buttock", "hip", "groin", "thigh",
    "knee", "calf", "shin", "foot", "leg",
)
SIDES = ("left", "right", "both")
TRENDS = ("worse", "better", "same")
SYMPTOMS = (
    "numbness", "tingling", "weakness", "burning", "shooting",
    "stiffness", "spasm", "ache",
)
ACTIVITIES = (
    "walking", "cycling", "swimming", "water_therapy",
    "stretching", "strengthening", "mckenzie", "stabilization",
)
AEROBIC_ACTIVITIES = ("walking", "cycling", "swimming", "water_therapy")
PAIN_DIRECTIONS = ("centralizing", "peripheralizing", "stable", "unknown")
PHASES = ("acute", "subacute", "chronic")
SLEEP_QUALITIES = ("good", "ok", "bad")
# What a person was doing when pain spread or eased (canonical values of the `movement` entity).
# An exercise id from the knowledge base may stand in for one of these.
MOVEMENTS = ("sitting", "bending", "lifting", "twisting", "standing", "lying", "walking", "exercise")
# Conditions that rule some exercises out once the person has mentioned them (`condition` entity).
CAUTIONS = ("osteoporosis", "pregnancy", "hip_replacement", "knee_pain")
MOVEMENT_EFFECTS = ("worse", "better")  # set off spreading / helped it centralize


@dataclass(frozen=True)
class CheckinRecord:
    """One symptom report: any field may be missing in a partial report."""

    at: datetime
    pain_score: Optional[float] = None
    location: Optional[str] = None  # canonical body_part, the most distal place
    side: Optional[str] = None
    symptoms: Tuple[str, ...] = ()
    trend: Optional[str] = None  # worse / better / same
    # Pain direction against the check-in before it (PAIN_DIRECTIONS); None when
    # not known, e.g. a record built before it was compared. Last, so positional
    # construction keeps working.
    direction: Optional[str] = None
    day: Optional[date] = None  # the person's local day it belongs to (one check-in per day)


@dataclass(frozen=True)
class ActivityRecord:
    """One logged session of exercise or aerobic activity."""

    at: datetime
    kind: str  # one of ACTIVITIES
    minutes: Optional[float] = None
    exercise_id: Optional[str] = None


@dataclass(frozen=True)
class ActivityReport:
    """One activity a message reports, as read before it is logged (bot.usecases.activity).

    `minutes` are the minutes said for it. A stop-and-go walk (errands, lots of stops) is
    logged without them, so weekly totals count continuous sessions only, but the reply
    still names them.
    """

    kind: str  # one of ACTIVITIES
    minutes: Optional[float] = None
    exercise_id: Optional[str] = None
    stop_and_go: bool = False


@dataclass(frozen=True)
class SleepRecord:
    at: datetime
    quality: str  # one of SLEEP_QUALITIES
    hours: Optional[float] = None


@dataclass(frozen=True)
class MovementNote:
    """What the person said set off spreading pain ("worse") or helped it retreat ("better")."""

    at: datetime
    effect: str  # one of MOVEMENT_EFFECTS
    movement: str  # one of MOVEMENTS, or an exercise id


@dataclass(frozen=True)
class Earlier:
    """What a windowed profile keeps of the logs before its window (bot.store.CoachStore.profile).

    Every log made at or after midnight (UTC) of `since` is in the profile; of the
    check-ins before it, the profile holds only the landmarks a rule can pick (the
    first, the first scored, the first scored of the episode, the last two scored,
    the last with a place, the last with a direction and the last one), and these
    facts stand for the rest.
    """

    since: date
    checkins: int = 0  # how many check-ins were made before `since`
    run: int = 0  # consecutive days (by `at`) with a check-in, ending the day before `since`
    logs: bool = False  # any activity or sleep was logged before `since`

    @property
    def start(self) -> datetime:
        """The first instant the profile holds every log from: midnight (UTC) of `since`."""
        return datetime.combine(self.since, time.min)


@dataclass(frozen=True)
class Profile:
    """What the coach knows about a person beyond their logs.

    `earlier` is None when the profile holds the whole history; else the logs are
    those since `earlier.since`, with the landmark check-ins before it (oldest first
    throughout), and rules that count or look at runs of days use `earlier`.
    """

    onset: Optional[date] = None
    checkins: Tuple[CheckinRecord, ...] = field(default_factory=tuple)
    activities: Tuple[ActivityRecord, ...] = field(default_factory=tuple)
    sleeps: Tuple[SleepRecord, ...] = field(default_factory=tuple)
    cautions: Tuple[str, ...] = ()  # CAUTIONS the person has mentioned
    movement_notes: Tuple[MovementNote, ...] = ()  # oldest first
    onset_asked: bool = False  # the onset question was asked once already
    zone: Optional[str] = None  # IANA time zone, once told (the person's "today" is local)
    earlier: Optional[Earlier] = None


@dataclass(frozen=True)
class SessionFacts:
    """What a new conversation starts from (bot.store.CoachStore.session_facts): a few
    indexed single-row reads, whatever the length of the person's history."""

    latest_score: Optional[float] = None  # the newest check-in's score that has one
    returning: bool = False  # anything was ever logged: a check-in, an activity or sleep
    red_flag_open: bool = False  # an unresolved tier 1-2 escalation (CoachStore.open_escalation)
