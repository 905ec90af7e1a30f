"""Plain records passed between the store and the pure rules.

The store turns database rows into these; clinical rules, the planner and the
progress summary only ever see these, so they stay testable without a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True)
class ActivityRecord:
    """One logged session of exercise or aerobic activity."""

    at: datetime
    kind: str  # one of ACTIVITIES
    minutes: Optional[float] = None
    exercise_id: Optional[str] = None


@dataclass(frozen=True)
class SleepRecord:
    at: datetime
    quality: str  # one of SLEEP_QUALITIES
    hours: Optional[float] = None


@dataclass(frozen=True)
class Profile:
    """What the coach knows about a person beyond their logs."""

    onset: Optional[date] = None
    checkins: Tuple[CheckinRecord, ...] = field(default_factory=tuple)
    activities: Tuple[ActivityRecord, ...] = field(default_factory=tuple)
    sleeps: Tuple[SleepRecord, ...] = field(default_factory=tuple)
