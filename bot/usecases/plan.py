"""Today's plan for one person: their history in, the plan (or the reason for none) out.

The plan answers at once. With no onset date it is the acute-safe plan, and
the caller asks once, after it, when the episode began (`ask_onset`). A pain
score older than two days does not set today's intensity; what set off
spreading pain and what helped it retreat shape the exercises.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional, Sequence, Tuple

from bot import clinical
from bot.guidance import LIFESTYLE_TIPS
from bot.knowledge import default_knowledge_base
from bot.planner import Plan, PlanInputs, build_plan, render_plan
from bot.records import CheckinRecord, MovementNote, Profile
from bot.store import CoachStore
from bot.thresholds import HELPED_MEMORY_DAYS, SCORE_FRESH_DAYS, TRIGGER_MEMORY_DAYS


@dataclass(frozen=True)
class PlanReply:
    text: str
    plan: Optional[Plan]  # None while a red flag is open
    ask_onset: bool  # ask once, after the plan, when the episode began
    red_flag_open: bool


def _noted(notes: Sequence[MovementNote], effect: str, today: date, days: int) -> Tuple[str, ...]:
    since = today - timedelta(days=days)
    return tuple(dict.fromkeys(n.movement for n in notes if n.effect == effect and n.at.date() >= since))


def _latest_scored(checkins: Sequence[CheckinRecord]) -> Optional[CheckinRecord]:
    scored = [c for c in checkins if c.pain_score is not None]
    return scored[-1] if scored else None


def current_direction(checkins: Sequence[CheckinRecord], today: date) -> str:
    """The direction of the latest check-in that showed one, while it is still fresh."""
    for checkin in reversed(checkins):
        day = checkin.day or checkin.at.date()
        if (today - day).days > SCORE_FRESH_DAYS:
            break
        if checkin.direction and checkin.direction != "unknown":
            return checkin.direction
    return "unknown"


def plan_inputs(profile: Profile, today: date) -> PlanInputs:
    latest = _latest_scored(profile.checkins)
    return PlanInputs(
        today=today,
        phase=clinical.phase_for(profile.onset, today),
        latest_score=latest.pain_score if latest else None,
        score_on=(latest.day or latest.at.date()) if latest else None,
        direction=current_direction(profile.checkins, today),
        activities=profile.activities,
        cautions=profile.cautions,
        worse_with=_noted(profile.movement_notes, "worse", today, TRIGGER_MEMORY_DAYS),
        better_with=_noted(profile.movement_notes, "better", today, HELPED_MEMORY_DAYS),
    )


def plan_for(profile: Profile, today: date) -> Plan:
    """Today's plan from the person's records, with no side effects (the fear reply uses it too)."""
    return build_plan(plan_inputs(profile, today), default_knowledge_base(), LIFESTYLE_TIPS)


def todays_plan(store: CoachStore, sender: str, at: datetime, today: date) -> PlanReply:
    """The plan, or the reminder of an open red flag; marks the onset question as asked
    (one transaction)."""
    with store.transaction():
        flag = store.open_escalation(sender)
        if flag:
            from bot.triage import reminder_of_open_flag  # the reader (spaCy) only where a flag is open

            return PlanReply(reminder_of_open_flag(flag[0]), None, False, True)
        profile = store.profile(sender, today)  # the recent logs and the landmarks: all a plan reads
        plan = plan_for(profile, today)
        ask_onset = profile.onset is None and not profile.onset_asked
        if ask_onset:
            store.mark_onset_asked(sender, at)
        return PlanReply(render_plan(plan), plan, ask_onset, False)


@dataclass(frozen=True)
class OnsetNoted:
    onset: date
    phase: str


def note_onset(store: CoachStore, sender: str, days_ago: int, today: date) -> OnsetNoted:
    onset = today - timedelta(days=days_ago)
    store.set_onset(sender, onset)
    return OnsetNoted(onset, clinical.phase_for(onset, today) or "acute")
