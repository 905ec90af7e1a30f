"""The exercise record: one entry of the knowledge base."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

CATEGORIES = (
    "stretching", "mckenzie_extension", "flexion", "stabilization",
    "strengthening", "aerobic",
)
MUSCLES = (
    "extensors", "flexors", "obliques", "hamstrings", "hip_flexors",
    "gluteals", "piriformis", "calves", "quadriceps", "arms", "whole_body",
)
DIRECTIONS = ("extension", "flexion", "neutral")


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
    cautions: Tuple[str, ...]
    dose: str
    progression: str
    steps: Tuple[str, ...]
