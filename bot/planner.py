"""Today's plan: one continuous aerobic session plus 2-4 exercises.

Pure function of the person's records: no database and no Rasa, so every rule
can be tested directly. Same inputs give the same plan; the exercise choice
rotates with the date so the routine does not go stale.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, List, Optional, Sequence, Tuple

from bot.knowledge import KnowledgeBase
from bot.knowledge.model import Exercise
from bot.records import AEROBIC_ACTIVITIES, ActivityRecord

HIGH_PAIN = 7.0          # at or above this score the plan turns gentle
GOAL_MINUTES = 30        # continuous aerobic time that conditions the body
MIN_MINUTES = 10
HIGH_PAIN_CAP = 15
STEP_MINUTES = 5
START_MINUTES = {"acute": 10, "subacute": 15, "chronic": 20}


@dataclass(frozen=True)
class PlanInputs:
    today: date
    phase: Optional[str]          # acute / subacute / chronic, or None if onset unknown
    latest_score: Optional[float]  # 0-10
    direction: str                # bot.records.PAIN_DIRECTIONS
    activities: Tuple[ActivityRecord, ...]  # the person's logged history (any length)


@dataclass(frozen=True)
class PlannedExercise:
    exercise: Exercise
    dose: str
    done_today: bool


@dataclass(frozen=True)
class Plan:
    aerobic_kind: str            # walking / cycling / water_therapy / swimming
    aerobic_minutes: int         # today's continuous target
    aerobic_done_today: float    # longest continuous aerobic session logged today (minutes)
    exercises: Tuple[PlannedExercise, ...]   # 2 to 4
    tip: str
    notes: Tuple[str, ...]


# ------------------------------------------------------------------ helpers

def _high_pain(inputs: PlanInputs) -> bool:
    return inputs.latest_score is not None and inputs.latest_score >= HIGH_PAIN


def _phase(inputs: PlanInputs) -> str:
    """Unknown onset is treated as acute: the safest, gentlest assumption."""
    return inputs.phase or "acute"


def _days_ago(record: ActivityRecord, today: date) -> int:
    return (today - record.at.date()).days


def _aerobic(inputs: PlanInputs) -> List[ActivityRecord]:
    return [a for a in inputs.activities if a.kind in AEROBIC_ACTIVITIES]


def _round_half_up(minutes: float) -> int:
    return int(minutes + 0.5)


# ------------------------------------------------------------------ aerobic rules

def aerobic_target(inputs: PlanInputs) -> int:
    """Continuous minutes for today.

    Build on what they really did: the longest single session in the 7 days
    before today, plus 5 minutes, kept between 10 and 30. Small steps avoid
    flare-ups; 30 continuous minutes is the conditioning goal, so it stays there.
    With no recent history, start by phase. High pain caps it at 15.
    """
    recent = [
        a.minutes for a in _aerobic(inputs)
        if a.minutes and a.minutes > 0 and 1 <= _days_ago(a, inputs.today) <= 7
    ]
    if recent:
        target = _round_half_up(max(recent) + STEP_MINUTES)
        target = max(MIN_MINUTES, min(GOAL_MINUTES, target))
    else:
        target = START_MINUTES.get(_phase(inputs), MIN_MINUTES)
    if _high_pain(inputs):
        target = min(target, HIGH_PAIN_CAP)
    return target


def aerobic_kind(inputs: PlanInputs) -> str:
    """The aerobic activity they chose most often in the last 14 days (today
    included), since the one they enjoy is the one they keep doing. Ties go to
    the most recent; no history means walking."""
    recent = sorted(
        (a for a in _aerobic(inputs) if 0 <= _days_ago(a, inputs.today) <= 14),
        key=lambda a: a.at,
    )
    if not recent:
        return "walking"
    counts = Counter(a.kind for a in recent)
    last_seen = {a.kind: i for i, a in enumerate(recent)}
    return max(counts, key=lambda kind: (counts[kind], last_seen[kind]))


def aerobic_done_today(inputs: PlanInputs) -> float:
    """Longest single session today: only continuous time conditions the body."""
    today = [
        float(a.minutes) for a in _aerobic(inputs)
        if a.minutes and _days_ago(a, inputs.today) == 0
    ]
    return max(today, default=0.0)


# ------------------------------------------------------------------ exercise rules

def _mckenzie_step(inputs: PlanInputs, ladder: Sequence[Exercise]) -> Optional[Exercise]:
    """The next rung of the extension ladder (gentlest first in the KB).

    One rung above the most advanced one logged in the 7 days before today, so
    progress is gradual; with high pain they repeat their rung instead.
    Today's own logs are ignored so the plan does not change mid-day.
    """
    if not ladder:
        return None
    ids = [e.id for e in ladder]
    done = [
        ids.index(a.exercise_id) for a in inputs.activities
        if a.exercise_id in ids and 1 <= _days_ago(a, inputs.today) <= 7
    ]
    if not done:
        return ladder[0]
    step = max(done) if _high_pain(inputs) else max(done) + 1
    return ladder[min(step, len(ladder) - 1)]


def _choose_exercises(inputs: PlanInputs, kb: KnowledgeBase) -> List[Exercise]:
    """Pick 2-4 exercises by phase, pain direction and pain level.

    Acute: gentle stretching (always a hamstring stretch, as tight hamstrings
    load the low back) plus one direction-appropriate movement.
    Subacute: pain past two weeks needs strengthening, so add stabilization
    and strengthening. Chronic: strengthening and stabilization lead.
    Peripheralizing pain rules out extension; high pain keeps the 2 gentlest.
    """
    phase = _phase(inputs)
    gentle = _high_pain(inputs)
    peripheral = inputs.direction == "peripheralizing"

    def allowed(e: Exercise) -> bool:
        return (
            e.category != "aerobic"
            and phase in e.phases
            and not (gentle and "acute" not in e.phases)
            and not (peripheral and e.direction == "extension")
        )

    pool = [e for e in kb.exercises if allowed(e)]
    hamstring = [e for e in pool if e.category == "stretching" and "hamstrings" in e.muscles]
    stretch = [e for e in pool if e.category == "stretching"]
    stabilize = [e for e in pool if e.category == "stabilization"]
    strengthen = [e for e in pool if e.category == "strengthening"]
    if peripheral:  # bending forward is the opposite of what made it worse
        move = [e for e in pool if e.direction == "flexion" and e.category in ("flexion", "stretching")]
    else:
        move = [e for e in stretch if e.direction == "neutral" and "hamstrings" not in e.muscles]

    chosen: List[Exercise] = []

    def add(candidates: Sequence[Exercise]) -> None:
        left = [e for e in candidates if e not in chosen]
        if left:  # rotate by date, with each slot offset so slots differ
            chosen.append(left[(inputs.today.toordinal() + len(chosen)) % len(left)])

    def add_move() -> None:
        if inputs.direction == "centralizing":
            step = _mckenzie_step(inputs, [e for e in kb.by_category("mckenzie_extension") if allowed(e)])
            if step is not None:
                chosen.append(step)
                return
        add(move)

    slots: List[Callable[[], None]]
    if gentle:
        slots = [lambda: add(hamstring), add_move]
    elif phase == "chronic":
        slots = [lambda: add(strengthen), lambda: add(stabilize), add_move, lambda: add(hamstring)]
    elif phase == "subacute":
        slots = [lambda: add(hamstring), add_move, lambda: add(stabilize), lambda: add(strengthen)]
    else:
        slots = [lambda: add(hamstring), add_move, lambda: add(stretch)]
    for slot in slots:
        slot()
    if len(chosen) < 2:  # a thin knowledge base should still give two things to do
        add(stretch or pool)
    return chosen


# ------------------------------------------------------------------ the plan

def _notes(inputs: PlanInputs, target: int, chosen: Sequence[Exercise]) -> List[str]:
    notes: List[str] = []
    if inputs.phase is None:
        notes.append(
            "If you tell me roughly when this episode of back pain started, "
            "I can fit the plan to where you are in your recovery."
        )
    if _high_pain(inputs):
        notes.append(
            "Your pain is high today, so I've kept things short and gentle, with no more than "
            f"{HIGH_PAIN_CAP} minutes of aerobic exercise. Walking or exercising in a pool "
            "is a good option too: the water carries some of your weight."
        )
    if inputs.direction == "peripheralizing":
        notes.append(
            "Your pain has been spreading further down your leg, so I've left out "
            "backward-bending exercises. Stop or cut back whatever movement sent it further "
            "down. If it keeps happening, or you notice new numbness or tingling, please get "
            "checked by a doctor or physiotherapist."
        )
    elif inputs.direction == "centralizing":
        notes.append(
            "Good news: your pain has been moving back toward your spine, which is a sign "
            "you're on the right track. Keep doing the movements that helped."
        )
    if target >= GOAL_MINUTES:
        notes.append(
            f"{GOAL_MINUTES} minutes without stopping is the conditioning goal, so we'll keep "
            "it there. Well done for building up to it!"
        )
    if _phase(inputs) == "subacute" and any(e.category == "strengthening" for e in chosen):
        notes.append(
            "Your back pain has lasted more than two weeks, so strengthening is part of the "
            "plan now: stronger support muscles help break the cycle of pain and weakness."
        )
    if inputs.phase == "chronic" and not _high_pain(inputs):
        notes.append(
            "Build strength step by step: when an exercise feels easy, move to its harder "
            "version. If your pain isn't improving, a physiotherapist can tailor a programme for you."
        )
    return notes


def build_plan(inputs: PlanInputs, kb: KnowledgeBase, tips: Sequence[str]) -> Plan:
    """Today's plan. The tip rotates daily through the caller's tips ("" if none)."""
    target = aerobic_target(inputs)
    chosen = _choose_exercises(inputs, kb)
    done_ids = {
        a.exercise_id for a in inputs.activities
        if a.exercise_id and _days_ago(a, inputs.today) == 0
    }
    planned = tuple(
        PlannedExercise(
            exercise=e,
            dose=f"{e.dose} (go gently today; fewer reps are fine)" if _high_pain(inputs) else e.dose,
            done_today=e.id in done_ids,
        )
        for e in chosen
    )
    return Plan(
        aerobic_kind=aerobic_kind(inputs),
        aerobic_minutes=target,
        aerobic_done_today=aerobic_done_today(inputs),
        exercises=planned,
        tip=tips[inputs.today.toordinal() % len(tips)] if tips else "",
        notes=tuple(_notes(inputs, target, chosen)),
    )


_AEROBIC_TEXT = {
    "walking": "Walk for {m} minutes in one go at a steady pace (errands and stop-start walking don't count)",
    "cycling": "Ride a stationary bike for {m} minutes without stopping",
    "water_therapy": "Walk or exercise in a pool for {m} minutes without stopping",
    "swimming": "Swim gently for {m} minutes, keeping it continuous",
}


def _minutes(value: float) -> str:
    return f"{value:g}"


def render_plan(plan: Plan) -> str:
    """The plan as a short chat message; ticks show what is already done today."""
    aerobic = _AEROBIC_TEXT.get(plan.aerobic_kind, _AEROBIC_TEXT["walking"]).format(m=plan.aerobic_minutes)
    if plan.aerobic_done_today >= plan.aerobic_minutes:
        status = f"✓ Done: {_minutes(plan.aerobic_done_today)} minutes in one go today. Great work!"
    elif plan.aerobic_done_today > 0:
        status = f"So far today: {_minutes(plan.aerobic_done_today)} minutes in one go."
    else:
        status = ""
    lines = ["Here's your plan for today:", "", f"• {aerobic}."]
    if status:
        lines.append(f"  {status}")
    lines += ["", "Exercises:"]
    for item in plan.exercises:
        mark = "✓" if item.done_today else "•"
        done = " (done today, nice!)" if item.done_today else ""
        lines.append(f"{mark} {item.exercise.name}: {item.dose}{done}")
    if plan.notes:
        lines.append("")
        lines += [f"Note: {note}" for note in plan.notes]
    if plan.tip:
        lines += ["", f"Tip: {plan.tip}"]
    lines += ["", "Ask me how to do any of these if you'd like the steps."]
    return "\n".join(lines)
