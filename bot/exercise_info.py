"""Answers to "how do I do X?" and "what stretches are there?" from the knowledge base."""
from __future__ import annotations

import re
from typing import Optional

from bot.knowledge import KnowledgeBase
from bot.knowledge.model import MUSCLE_GROUP_NAMES, PAIN_RULE, Exercise, muscle_groups

_CATEGORY_WORDS = (
    ("nerve_glide", r"nerve (glide|floss)|glides? for (the )?sciatica"),
    ("relief_position", r"(comfortable|resting|rest) positions?|positions? to rest"),
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
    "mckenzie_side_glide": "McKenzie side glides",
    "flexion": "flexion (bending) exercises",
    "stabilization": "stabilization exercises",
    "strengthening": "strengthening exercises",
    "nerve_glide": "nerve glides",
    "relief_position": "comfortable resting positions",
    "aerobic": "low-impact aerobic options",
}
_NOT_A_MUSCLE = {
    "nerve_glide": "It moves the sciatic nerve gently rather than working a muscle.",
    "relief_position": "It is a resting position that lets the back muscles relax.",
}


def _join(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def trains(ex: Exercise) -> str:
    """One sentence naming the article's muscle group(s) the exercise works."""
    if ex.category in _NOT_A_MUSCLE:
        return _NOT_A_MUSCLE[ex.category]
    groups = muscle_groups(ex)
    if not groups:
        return "It conditions the whole body, heart and lungs included."
    verb = "Stretches" if ex.category == "stretching" else "Works"
    return f"{verb} {_join(MUSCLE_GROUP_NAMES[g] for g in groups)}."


def describe_exercise(ex: Exercise, kb: Optional[KnowledgeBase] = None) -> str:
    """Steps, the muscle group it trains, dose and frequency, the next step and the
    shared pain rule. With the knowledge base, the harder/easier steps are named."""
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(ex.steps, 1))
    care = "\n".join(f"• {c}" for c in (*ex.take_care, PAIN_RULE))
    lines = [ex.name, trains(ex), steps, "",
             f"Dose: {ex.dose}, {ex.frequency}", f"When it gets easy: {ex.next_step}"]
    for key, label in (("progression", "Harder version"), ("regression", "Easier version")):
        linked = kb.get(getattr(ex, key)) if kb is not None and getattr(ex, key) else None
        if linked is not None:
            lines.append(f"{label}: {linked.name}")
    return "\n".join(lines) + f"\n\nTake care:\n{care}"


def category_in(text: str) -> Optional[str]:
    for category, pattern in _CATEGORY_WORDS:
        if re.search(pattern, text or "", re.IGNORECASE):
            return category
    return None


def answer_exercise_question(text: str, exercise_id: Optional[str], kb: KnowledgeBase) -> str:
    """One exercise in detail, a category listed, or what the library holds."""
    ex = (kb.get(exercise_id) if exercise_id else None) or kb.find(text or "")
    if ex is not None:
        return describe_exercise(ex, kb)
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
