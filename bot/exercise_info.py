"""Answers to "how do I do X?" and "what stretches are there?" from the knowledge base."""
from __future__ import annotations

import re
from typing import Optional

from bot.knowledge import KnowledgeBase
from bot.knowledge.model import Exercise

_CATEGORY_WORDS = (
    ("mckenzie_extension", r"mckenzie|extension|press[- ]?ups?"),
    ("flexion", r"flexion|bend(ing)? forward"),
    ("stabilization", r"stabili[sz]|core|neutral spine|plank"),
    ("strengthening", r"strength|strong|muscle"),
    ("aerobic", r"aerobic|cardio|walk|bike|cycl|pool|swim|water"),
    ("stretching", r"stretch|flexib|tight|hamstring|mobil"),
)
_CATEGORY_TITLES = {
    "stretching": "stretches",
    "mckenzie_extension": "McKenzie extension exercises (gentlest first)",
    "flexion": "flexion (bending) exercises",
    "stabilization": "stabilization exercises",
    "strengthening": "strengthening exercises",
    "aerobic": "low-impact aerobic options",
}


def describe_exercise(ex: Exercise) -> str:
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(ex.steps, 1))
    cautions = "\n".join(f"• {c}" for c in ex.cautions)
    return (
        f"{ex.name}\n{steps}\n\nDose: {ex.dose}\nWhen it gets easy: {ex.progression}"
        + (f"\n\nTake care:\n{cautions}" if cautions else "")
    )


def category_in(text: str) -> Optional[str]:
    for category, pattern in _CATEGORY_WORDS:
        if re.search(pattern, text or "", re.IGNORECASE):
            return category
    return None


def answer_exercise_question(text: str, exercise_id: Optional[str], kb: KnowledgeBase) -> str:
    """One exercise in detail, a category listed, or what the library holds."""
    ex = (kb.get(exercise_id) if exercise_id else None) or kb.find(text or "")
    if ex is not None:
        return describe_exercise(ex)
    category = category_in(text)
    if category:
        if category == "stretching" and re.search("hamstring", text or "", re.IGNORECASE):
            items = [e for e in kb.exercises if "hamstrings" in e.muscles]
        else:
            items = list(kb.by_category(category))
        names = "\n".join(f"• {e.name}" for e in items)
        return (f"Here are the {_CATEGORY_TITLES[category]} I know:\n{names}\n\n"
                "Ask me about any of them by name for the steps and dose.")
    titles = ", ".join(_CATEGORY_TITLES[c] for c in _CATEGORY_TITLES)
    return (f"I know {len(kb)} exercises: {titles}. "
            "Ask about one by name, e.g. \"how do I do a bird dog?\" or \"show me hamstring stretches\".")
