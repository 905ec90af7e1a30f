"""Today's plan: one continuous aerobic session plus 2-4 exercises.

Pure function of the person's records: no database and no Rasa, so every rule
can be tested directly. Same inputs give the same plan; the exercise choice
rotates with the date so the routine does not go stale.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from bot.coaching import direction_advice
from bot.knowledge import KnowledgeBase
from bot.knowledge.model import PAIN_RULE, Exercise
from bot.records import AEROBIC_ACTIVITIES, ActivityRecord
from bot.thresholds import (  # noqa: F401  (GOAL_MINUTES and HIGH_PAIN stay importable from here)
    AEROBIC_KIND_DAYS, GOAL_MINUTES, HIGH_PAIN, SCORE_FRESH_DAYS, WALK_TARGET_MIN, WEEK_DAYS,
)

MIN_MINUTES = 10
HIGH_PAIN_CAP = 15
STEP_MINUTES = 5
START_MINUTES = {"acute": 10, "subacute": 15, "chronic": WALK_TARGET_MIN}

# Which way each movement the person names (bot.records.MOVEMENTS) loads the spine.
# Walking and "an exercise" in general have no direction: walking always stays.
MOVEMENT_DIRECTIONS: Dict[str, Optional[str]] = {
    "sitting": "flexion", "bending": "flexion", "lifting": "flexion",
    "standing": "extension", "lying": "extension",  # lying on the front
    "twisting": "rotation",
    "walking": None, "exercise": None,
}
SPINE_DIRECTIONS = ("flexion", "extension", "rotation", "lateral")
_MOVE_CATEGORIES = ("stretching", "flexion", "mckenzie_extension", "mckenzie_side_glide")

# Why an exercise was left out (LeftOut.reason).
CAUTION, WORSE, NERVE_TENSION, END_RANGE = "caution", "worse", "nerve_tension", "end_range"


@dataclass(frozen=True)
class PlanInputs:
    today: date
    phase: Optional[str]          # acute / subacute / chronic, or None if onset unknown
    latest_score: Optional[float]  # 0-10
    direction: str                # bot.records.PAIN_DIRECTIONS
    activities: Tuple[ActivityRecord, ...]  # the person's logged history (any length)
    # The day of latest_score; a score older than SCORE_FRESH_DAYS does not set
    # today's intensity. None: the caller vouches it is current.
    score_on: Optional[date] = None
    cautions: Tuple[str, ...] = ()     # bot.records.CAUTIONS the person has mentioned
    # bot.records.MOVEMENTS values or exercise ids that set off spreading (worse_with)
    # or helped the pain move back toward the spine (better_with).
    worse_with: Tuple[str, ...] = ()
    better_with: Tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedExercise:
    exercise: Exercise
    dose: str
    done_today: bool


@dataclass(frozen=True)
class LeftOut:
    """An exercise kept out of the plan for the person's safety, and why."""

    exercise_id: str
    reason: str   # CAUTION, WORSE, NERVE_TENSION or END_RANGE
    detail: str = ""  # the caution, movement or direction behind it


@dataclass(frozen=True)
class Plan:
    aerobic_kind: str            # walking / cycling / water_therapy / swimming
    aerobic_minutes: int         # today's continuous target
    aerobic_done_today: float    # longest continuous aerobic session logged today (minutes)
    exercises: Tuple[PlannedExercise, ...]   # 2 to 4
    tip: str
    notes: Tuple[str, ...]
    left_out: Tuple[LeftOut, ...] = ()  # in knowledge-base order, one per exercise


# ------------------------------------------------------------------ helpers

def current_score(inputs: PlanInputs) -> Optional[float]:
    """The latest score if it is recent enough to set today's intensity, else None."""
    if inputs.latest_score is None:
        return None
    if inputs.score_on is not None and (inputs.today - inputs.score_on).days > SCORE_FRESH_DAYS:
        return None
    return inputs.latest_score


def _high_pain(inputs: PlanInputs) -> bool:
    score = current_score(inputs)
    return score is not None and score >= HIGH_PAIN


def _phase(inputs: PlanInputs) -> str:
    """Unknown onset is treated as acute: the safest, gentlest assumption."""
    return inputs.phase or "acute"


def _peripheral(inputs: PlanInputs) -> bool:
    return inputs.direction == "peripheralizing"


def _days_ago(record: ActivityRecord, today: date) -> int:
    return (today - record.at.date()).days


def _aerobic(inputs: PlanInputs) -> List[ActivityRecord]:
    return [a for a in inputs.activities if a.kind in AEROBIC_ACTIVITIES]


def _round_half_up(minutes: float) -> int:
    return int(minutes + 0.5)


def _directions_of(items: Sequence[str], kb: KnowledgeBase) -> Set[str]:
    """Spine directions behind movements or exercise ids ("bending" -> flexion)."""
    found: Set[str] = set()
    for item in items:
        if item in MOVEMENT_DIRECTIONS:
            if MOVEMENT_DIRECTIONS[item]:
                found.add(MOVEMENT_DIRECTIONS[item])
            continue
        exercise = kb.get(item)
        if exercise is not None:
            found.update(d for d in SPINE_DIRECTIONS if exercise.moves_in(d))
    return found


@dataclass(frozen=True)
class _Triggers:
    worse_ids: FrozenSet[str]
    better_ids: FrozenSet[str]
    worse_dirs: FrozenSet[str]
    better_dirs: FrozenSet[str]   # never one that is also in worse_dirs: safety first
    blocked_dirs: FrozenSet[str]  # end-range movement in these directions is left out


def _triggers(inputs: PlanInputs, kb: KnowledgeBase) -> _Triggers:
    worse_ids = frozenset(i for i in inputs.worse_with if kb.get(i) is not None)
    better_ids = frozenset(i for i in inputs.better_with if kb.get(i) is not None) - worse_ids
    worse_dirs = frozenset(_directions_of(inputs.worse_with, kb))
    better_dirs = frozenset(_directions_of(inputs.better_with, kb)) - worse_dirs
    blocked = set(worse_dirs)
    if _peripheral(inputs):  # while it spreads, only a direction that helped goes to end range
        blocked |= set(SPINE_DIRECTIONS) - better_dirs
    return _Triggers(worse_ids, better_ids, worse_dirs, better_dirs, frozenset(blocked))


def _left_out_for(e: Exercise, inputs: PlanInputs, t: _Triggers) -> Optional[LeftOut]:
    """Why this exercise must not be planned for this person today, or None."""
    if e.id in t.worse_ids:
        return LeftOut(e.id, WORSE, e.id)
    mentioned = [c for c in e.cautions if c in inputs.cautions]
    if mentioned:
        return LeftOut(e.id, CAUTION, mentioned[0])
    if _peripheral(inputs) and e.nerve_tension:
        return LeftOut(e.id, NERVE_TENSION)
    if e.end_range:
        for d in SPINE_DIRECTIONS:
            if d in t.blocked_dirs and e.moves_in(d):
                return LeftOut(e.id, WORSE if d in t.worse_dirs else END_RANGE, d)
    return None


def left_out(inputs: PlanInputs, kb: KnowledgeBase) -> Tuple[LeftOut, ...]:
    """Every exercise kept out for safety (cautions, triggers, spreading leg pain)."""
    t = _triggers(inputs, kb)
    found = (_left_out_for(e, inputs, t) for e in kb.exercises if e.category != "aerobic")
    return tuple(x for x in found if x is not None)


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
        if a.minutes and a.minutes > 0 and 1 <= _days_ago(a, inputs.today) <= WEEK_DAYS
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
        (a for a in _aerobic(inputs) if 0 <= _days_ago(a, inputs.today) <= AEROBIC_KIND_DAYS),
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

def _rung(e: Exercise, kb: KnowledgeBase) -> int:
    """How many easier steps lie below an exercise (its regression links)."""
    rung, seen = 0, {e.id}
    step = e.regression
    while step is not None and step not in seen:
        seen.add(step)
        rung += 1
        linked = kb.get(step)
        step = linked.regression if linked is not None else None
    return rung


def _mckenzie_step(
    inputs: PlanInputs, kb: KnowledgeBase, allowed: Callable[[Exercise], bool],
) -> Optional[Exercise]:
    """Today's step of the extension ladder, following the KB's progression links.

    One step above the most advanced one logged in the 7 days before today (press-ups
    and their alternative, standing extension, share a step), so progress is gradual;
    with high pain they repeat their step. Today's own logs are ignored so the plan
    does not change mid-day. A step that is not allowed today falls back down the
    regression links.
    """
    ladder = kb.by_category("mckenzie_extension")
    ids = {e.id for e in ladder}
    done = [
        (_rung(kb.get(a.exercise_id), kb), a.at, kb.get(a.exercise_id)) for a in inputs.activities
        if a.exercise_id in ids and 1 <= _days_ago(a, inputs.today) <= WEEK_DAYS
    ]
    if done:
        top = max(done, key=lambda d: (d[0], d[1]))[2]
        step: Optional[Exercise] = top
        if not _high_pain(inputs) and top.progression:
            step = kb.get(top.progression)
    else:
        step = next((e for e in ladder if e.regression is None), None)
    seen: Set[str] = set()
    while step is not None and step.id not in seen and not allowed(step):
        seen.add(step.id)
        step = kb.get(step.regression) if step.regression else None
    return step


def _choose_exercises(inputs: PlanInputs, kb: KnowledgeBase) -> List[Exercise]:
    """Pick 2-4 exercises by phase, pain direction, pain level and what the person told us.

    Acute: gentle stretching (a hamstring stretch, as tight hamstrings load the low
    back) plus one movement. Subacute: pain past two weeks needs strengthening, so add
    stabilization and strengthening. Chronic: strengthening and stabilization lead.
    High pain keeps the 2 gentlest. Cautions, and movements that set off spreading,
    rule exercises out (see left_out).

    While leg pain spreads: no nerve-tensioning stretch and no end-range movement
    except in a direction that helped before; the movement is that direction if known,
    else a comfortable resting position and gentle pelvic tilts. Walking stays.
    """
    phase = _phase(inputs)
    gentle = _high_pain(inputs)
    peripheral = _peripheral(inputs)
    t = _triggers(inputs, kb)

    def allowed(e: Exercise) -> bool:
        return (
            e.category != "aerobic"
            and phase in e.phases
            and not (gentle and "acute" not in e.phases)
            and _left_out_for(e, inputs, t) is None
        )

    pool = [e for e in kb.exercises if allowed(e)]
    hamstring = [e for e in pool if e.category == "stretching" and "hamstrings" in e.muscles]
    stretch = [e for e in pool if e.category == "stretching"]
    stabilize = [e for e in pool if e.category == "stabilization"]
    strengthen = [e for e in pool if e.category == "strengthening"]
    rest = [e for e in pool if e.category == "relief_position"]
    gentle_neutral = [e for e in stabilize if e.direction == "neutral" and "acute" in e.phases]
    loosen = [  # a loosening move when nothing says which direction suits them
        e for e in stretch
        if e.direction in ("neutral", "rotation") and "hamstrings" not in e.muscles
        and e.direction not in t.worse_dirs
    ]
    helped = [e for e in pool if e.id in t.better_ids and e.category != "relief_position"]
    helped_dirs = [
        e for e in pool
        if e.category in _MOVE_CATEGORIES and any(e.moves_in(d) for d in t.better_dirs)
    ]

    chosen: List[Exercise] = []

    def add(candidates: Sequence[Exercise]) -> bool:
        left = [e for e in candidates if e not in chosen]
        if left:  # rotate by date, with each slot offset so slots differ
            chosen.append(left[(inputs.today.toordinal() + len(chosen)) % len(left)])
        return bool(left)

    def add_step() -> bool:
        step = _mckenzie_step(inputs, kb, allowed)
        if step is not None and step not in chosen:
            chosen.append(step)
            return True
        return False

    def add_better() -> bool:
        """What helped before: the exercise itself, else its direction."""
        if add(helped):
            return True
        if "extension" in t.better_dirs and add_step():
            return True
        return add(helped_dirs)

    def add_move() -> None:
        if t.better_ids or t.better_dirs:
            if add_better():
                return
        elif inputs.direction == "centralizing" and "extension" not in t.worse_dirs:
            if add_step():  # the article's McKenzie extension ladder
                return
        if peripheral:
            add(gentle_neutral)
        else:
            add(loosen) or add(gentle_neutral)

    slots: List[Callable[[], object]]
    if peripheral:
        slots = [lambda: add(rest), add_move]
        if not gentle and phase != "acute":
            slots.append(lambda: add([e for e in stabilize if e.direction == "neutral"]))
    elif gentle:
        slots = [lambda: add(hamstring), add_move]
    elif phase == "chronic":
        slots = [lambda: add(strengthen), lambda: add(stabilize), add_move, lambda: add(hamstring)]
    elif phase == "subacute":
        slots = [lambda: add(hamstring), add_move, lambda: add(stabilize), lambda: add(strengthen)]
    else:
        slots = [lambda: add(hamstring), add_move, lambda: add(stretch)]
    for slot in slots:
        slot()
    for fallback in (gentle_neutral, rest, stretch, pool):  # a thin choice still gives two
        if len(chosen) >= 2:
            break
        add(fallback)
    return chosen


# ------------------------------------------------------------------ the plan

_CAUTION_TEXT = {
    "osteoporosis": ("osteoporosis", "exercises that curl, bend or twist your spine under load"),
    "pregnancy": ("your pregnancy", "exercises lying on your front or flat on your back for long, "
                                    "and the harder core exercises"),
    "hip_replacement": ("your hip replacement", "deep hip bends and stretches that cross one leg "
                                                "over the other"),
    "knee_pain": ("your sore knees", "kneeling and deep knee bends"),
}
_DIRECTION_TEXT = {
    "flexion": "bend your back forward as far as it goes",
    "extension": "arch your back as far as it goes",
    "rotation": "twist your back as far as it goes",
    "lateral": "shift your hips to the side as far as they go",
}


def _said(items: Sequence[str], kb: KnowledgeBase) -> str:
    """ "bending and the Prone press-up" from movements and exercise ids."""
    words = []
    for item in items:
        exercise = kb.get(item)
        words.append(f"the {exercise.name.lower()}" if exercise else item.replace("_", " "))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _notes(
    inputs: PlanInputs, kb: KnowledgeBase, target: int, chosen: Sequence[Exercise],
    out: Sequence[LeftOut], aerobic_swapped: bool,
) -> List[str]:
    notes: List[str] = []
    t = _triggers(inputs, kb)
    reasons = {x.reason for x in out}
    if _high_pain(inputs):
        notes.append(
            "Your pain is high today, so I've kept things short and gentle, with no more than "
            f"{HIGH_PAIN_CAP} minutes of aerobic exercise. Walking or exercising in a pool "
            "is a good option too: the water carries some of your weight."
        )
    if _peripheral(inputs):
        notes.append(direction_advice(inputs.direction))  # the article's advice, said one way
        if NERVE_TENSION in reasons:
            notes.append(
                "While your leg pain is spreading I've left out stretches that pull on the "
                "sciatic nerve, such as the straight-leg hamstring stretch."
            )
        helped = [i for i in inputs.better_with if i in t.better_ids or
                  MOVEMENT_DIRECTIONS.get(i) in t.better_dirs]
        if helped and any(e.id in t.better_ids or any(e.moves_in(d) for d in t.better_dirs)
                          for e in chosen):
            notes.append(
                f"Before, {_said(helped, kb)} helped the pain move back toward your back, so "
                "today's plan leans on that. Keep walking too."
            )
        else:
            notes.append(
                "Until we know which movement eases it, today is about walking and comfortable "
                "positions, with nothing pushed to the end of its range."
            )
    elif inputs.direction == "centralizing":
        notes.append(direction_advice(inputs.direction))
    worse_moves = [m for m in inputs.worse_with if MOVEMENT_DIRECTIONS.get(m)]
    worse_ids = [i for i in inputs.worse_with if i in t.worse_ids]
    if worse_moves and any(x.reason == WORSE and x.detail in t.worse_dirs for x in out):
        dirs = sorted({MOVEMENT_DIRECTIONS[m] for m in worse_moves})
        notes.append(
            f"You said {_said(worse_moves, kb)} set it off, so I've left out exercises that "
            + " or ".join(_DIRECTION_TEXT[d] for d in dirs) + "."
        )
    if worse_ids:
        notes.append(f"You said {_said(worse_ids, kb)} set it off, so that's not in today's plan.")
    for caution in inputs.cautions:
        if caution in _CAUTION_TEXT and any(x.reason == CAUTION and x.detail == caution for x in out):
            said, what = _CAUTION_TEXT[caution]
            notes.append(f"Because you mentioned {said}, I've left out {what}.")
    if aerobic_swapped:
        notes.append("Walking replaces the bike for now: cycling keeps you bent forward, "
                     "the way that set off the spreading.")
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


def _today_aerobic(inputs: PlanInputs, kb: KnowledgeBase) -> Tuple[str, bool]:
    """The aerobic kind for today, and whether the bike gave way to walking because
    sitting bent forward (or the bike itself) set off spreading pain."""
    kind = aerobic_kind(inputs)
    if kind != "cycling":
        return kind, False
    t = _triggers(inputs, kb)
    bikes = {e.id for e in kb.by_activity("cycling")}
    if bikes and bikes <= t.worse_ids or (_peripheral(inputs) and "flexion" in t.worse_dirs):
        return "walking", True
    return kind, False


def build_plan(inputs: PlanInputs, kb: KnowledgeBase, tips: Sequence[str]) -> Plan:
    """Today's plan. The tip rotates daily through the caller's tips ("" if none)."""
    target = aerobic_target(inputs)
    chosen = _choose_exercises(inputs, kb)
    out = left_out(inputs, kb)
    kind, swapped = _today_aerobic(inputs, kb)
    done_ids = {
        a.exercise_id for a in inputs.activities
        if a.exercise_id and _days_ago(a, inputs.today) == 0
    }
    planned = tuple(
        PlannedExercise(
            exercise=e,
            dose=f"{e.dose}, {e.frequency}" + (" (go gently today; fewer reps are fine)"
                                               if _high_pain(inputs) else ""),
            done_today=e.id in done_ids,
        )
        for e in chosen
    )
    return Plan(
        aerobic_kind=kind,
        aerobic_minutes=target,
        aerobic_done_today=aerobic_done_today(inputs),
        exercises=planned,
        tip=tips[inputs.today.toordinal() % len(tips)] if tips else "",
        notes=tuple(_notes(inputs, kb, target, chosen, out, swapped)),
        left_out=out,
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
    lines += ["", f"How to judge it: {PAIN_RULE}"]
    if plan.notes:
        lines.append("")
        lines += [f"Note: {note}" for note in plan.notes]
    if plan.tip:
        lines += ["", f"Tip: {plan.tip}"]
    lines += ["", "Ask me how to do any of these if you'd like the steps."]
    return "\n".join(lines)
