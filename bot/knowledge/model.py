"""The exercise record: one entry of the knowledge base, and the vocabulary it uses."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

CATEGORIES = (
    "stretching", "mckenzie_extension", "mckenzie_side_glide", "flexion", "stabilization",
    "strengthening", "nerve_glide", "relief_position", "aerobic",
)
# Categories whose entries do not work a muscle (a nerve glide, a resting position):
# their `muscles` list may be empty.
NON_TRAINING_CATEGORIES = ("nerve_glide", "relief_position")
MUSCLES = (
    "extensors", "flexors", "obliques", "hamstrings", "hip_flexors",
    "gluteals", "piriformis", "calves", "quadriceps", "arms", "upper_back", "whole_body",
)
# The direction the spine moves in. "flexion_extension" moves both ways (cat-cow);
# "lateral" is a side-to-side shift of the pelvis (the McKenzie side glide).
DIRECTIONS = ("extension", "flexion", "flexion_extension", "rotation", "lateral", "neutral")

# The article's three groups of muscles that support the spine, plus the arms and
# legs it also asks people to strengthen. This is the one map from the KB's
# `muscles` to those groups; describing an exercise uses it.
MUSCLE_GROUPS: Dict[str, str] = {
    "extensors": "extensors",
    "gluteals": "extensors",
    "upper_back": "extensors",
    "flexors": "flexors",
    "hip_flexors": "flexors",
    "obliques": "obliques",
    "hamstrings": "legs",
    "quadriceps": "legs",
    "calves": "legs",
    "piriformis": "legs",
    "arms": "arms",
}
MUSCLE_GROUP_NAMES: Dict[str, str] = {
    "extensors": "the extensors (back and buttock muscles, which straighten and lift you)",
    "flexors": "the flexors (stomach muscles and the iliopsoas at the front of the hip, "
               "which support the spine from the front)",
    "obliques": "the obliques or rotators (the muscles at your sides, which turn and steady the trunk)",
    "legs": "the leg and hip muscles",
    "arms": "the arm and shoulder muscles",
}
GROUP_ORDER = ("extensors", "flexors", "obliques", "legs", "arms")

# The one pain-monitoring rule for every exercise in the base.
PAIN_RULE = (
    "Some discomfort while you do it is fine, as long as it settles down soon after you stop "
    "and does not spread into your leg. If pain travels further down your leg, stop that "
    "exercise and let me know."
)


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    aliases: Tuple[str, ...]
    category: str  # one of CATEGORIES
    activity: str  # the bot.records.ACTIVITIES value a session of it logs as
    muscles: Tuple[str, ...]  # from MUSCLES
    phases: Tuple[str, ...]  # from bot.records.PHASES
    direction: str  # from DIRECTIONS
    end_range: bool  # it takes the spine to the end of its range in `direction`
    nerve_tension: bool  # it stretches the sciatic nerve (straight-leg stretches, nerve glides)
    cautions: Tuple[str, ...]  # bot.records.CAUTIONS that rule it out
    take_care: Tuple[str, ...]  # safety and technique cues, shown with the steps
    frequency: str  # how often a day or week
    dose: str  # reps, holds or minutes each time
    progression: Optional[str]  # id of the harder next step, or None
    regression: Optional[str]  # id of the easier step back, or None
    next_step: str  # what to change once it feels easy
    steps: Tuple[str, ...]

    def moves_in(self, direction: str) -> bool:
        """Whether it moves the spine in `direction` ("flexion_extension" does both)."""
        if self.direction == "flexion_extension":
            return direction in ("flexion", "extension", "flexion_extension")
        return self.direction == direction


def muscle_groups(exercise: Exercise) -> Tuple[str, ...]:
    """The article's muscle groups an exercise works, in a fixed order."""
    found = {MUSCLE_GROUPS[m] for m in exercise.muscles if m in MUSCLE_GROUPS}
    return tuple(g for g in GROUP_ORDER if g in found)
