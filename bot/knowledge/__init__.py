"""The exercise knowledge base: load and validate exercises.yml, then look things up.

The YAML file is edited by hand, so the loader checks every entry and fails with a
message naming the file, the entry and the problem, instead of letting a typo turn
into a wrong exercise shown to someone in pain.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import yaml

from bot.knowledge.model import (
    CATEGORIES, DIRECTIONS, MUSCLES, NON_TRAINING_CATEGORIES, PAIN_RULE, Exercise,
)
from bot.records import ACTIVITIES, AEROBIC_ACTIVITIES, CAUTIONS, PHASES

__all__ = [
    "DEFAULT_PATH", "Exercise", "KnowledgeBase", "KnowledgeBaseError", "PAIN_RULE",
    "default_knowledge_base", "load_knowledge_base",
]

DEFAULT_PATH = Path(__file__).with_name("exercises.yml")

_FIELDS = tuple(f.name for f in dataclasses.fields(Exercise))
_STRING_FIELDS = (
    "id", "name", "category", "activity", "direction", "frequency", "dose", "next_step",
)
_LIST_FIELDS = ("aliases", "muscles", "phases", "cautions", "take_care", "steps")
_NON_EMPTY_LISTS = ("muscles", "phases", "take_care", "steps")
_BOOL_FIELDS = ("end_range", "nerve_tension")
_LINK_FIELDS = ("progression", "regression")  # another entry's id, or null
_ENUMS = {"category": CATEGORIES, "activity": ACTIVITIES, "direction": DIRECTIONS}
_LIST_ENUMS = {
    "muscles": ("muscle", MUSCLES), "phases": ("phase", PHASES), "cautions": ("caution", CAUTIONS),
}
_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


class KnowledgeBaseError(ValueError):
    """The exercise file is unreadable or an entry in it is invalid."""


# ------------------------------------------------------------------ text matching

def _words(text: str) -> Tuple[str, ...]:
    """Lower-case words; apostrophes vanish and hyphens/underscores split words."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return tuple(re.findall(r"[a-z0-9]+", text))


def _word_matches(said: str, known: str) -> bool:
    """Same word, or a simple plural/singular of it ("bird dogs", "stretches")."""
    return (
        said == known
        or said in (known + "s", known + "es")
        or (known.endswith("s") and said == known[:-1])
    )


def _phrases(exercise: Exercise) -> List[Tuple[str, ...]]:
    """Every way of naming an exercise: its id, its name and its aliases."""
    found: List[Tuple[str, ...]] = []
    for text in (exercise.id, exercise.name, *exercise.aliases):
        words = _words(text)
        if words and words not in found:
            found.append(words)
    return found


# ------------------------------------------------------------------ the API

class KnowledgeBase:
    """An ordered, read-only collection of exercises with simple look-ups."""

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self.exercises: Tuple[Exercise, ...] = tuple(exercises)
        self._by_id: Dict[str, Exercise] = {e.id: e for e in self.exercises}
        self._index = [(words, e) for e in self.exercises for words in _phrases(e)]

    def __len__(self) -> int:
        return len(self.exercises)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def get(self, exercise_id: str) -> Optional[Exercise]:
        return self._by_id.get(exercise_id)

    def by_category(self, category: str) -> Tuple[Exercise, ...]:
        """Exercises of one category, in file order (the McKenzie ladder relies on it)."""
        return tuple(e for e in self.exercises if e.category == category)

    def by_activity(self, activity: str) -> Tuple[Exercise, ...]:
        return tuple(e for e in self.exercises if e.activity == activity)

    def find(self, text: str) -> Optional[Exercise]:
        """The exercise named anywhere in a free-text message, or None.

        Matches whole words only, so "sidewalk" is not a walk. The longest name
        wins, so "double knee to chest" beats "knee to chest"; ties go to the
        exercise listed first.
        """
        said = _words(text or "")
        best: Optional[Exercise] = None
        best_key = (0, 0)
        for words, exercise in self._index:
            n = len(words)
            key = (n, sum(len(w) for w in words))
            if key <= best_key:
                continue
            for start in range(len(said) - n + 1):
                if all(_word_matches(s, k) for s, k in zip(said[start:start + n], words)):
                    best, best_key = exercise, key
                    break
        return best


# ------------------------------------------------------------------ loading

def load_knowledge_base(path: Union[str, Path, None] = None) -> KnowledgeBase:
    """Read and validate an exercises YAML file (the packaged one by default)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeBaseError(f"{where}: cannot read file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{where}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list):
        raise KnowledgeBaseError(f"{where}: expected a top-level 'exercises:' list")
    extra = sorted(str(k) for k in data if k != "exercises")
    if extra:
        raise KnowledgeBaseError(f"{where}: unknown top-level key {extra[0]!r}")
    if not data["exercises"]:
        raise KnowledgeBaseError(f"{where}: the 'exercises' list is empty")

    exercises: List[Exercise] = []
    owner_of: Dict[Tuple[str, ...], str] = {}  # every id/name/alias -> exercise id
    for position, entry in enumerate(data["exercises"], start=1):
        label = _label(entry, position)

        def fail(problem: str) -> KnowledgeBaseError:
            return KnowledgeBaseError(f"{where}: {label}: {problem}")

        exercise = _parse_entry(entry, fail)
        if exercise.id in (e.id for e in exercises):
            raise fail(f"duplicate id {exercise.id!r}")
        for words in _phrases(exercise):
            other = owner_of.setdefault(words, exercise.id)
            if other != exercise.id:
                raise fail(f"alias or name {' '.join(words)!r} is already used by {other!r}")
        exercises.append(exercise)
    _check_links(exercises, where)
    return KnowledgeBase(exercises)


@functools.lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge_base(DEFAULT_PATH)


def _label(entry: Any, position: int) -> str:
    """Name an entry by its id when it has a usable one, else by its 1-based position."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"].strip():
        return f"entry {entry['id'].strip()!r}"
    return f"entry #{position}"


def _check_links(exercises: List[Exercise], where: str) -> None:
    """Every progression/regression names another entry, and no progression loops back."""
    ids = {e.id for e in exercises}
    by_id = {e.id: e for e in exercises}
    for e in exercises:
        for key in _LINK_FIELDS:
            target = getattr(e, key)
            if target is None:
                continue
            if target == e.id:
                raise KnowledgeBaseError(f"{where}: entry {e.id!r}: {key} links to itself")
            if target not in ids:
                raise KnowledgeBaseError(f"{where}: entry {e.id!r}: {key} {target!r} is not a known id")
    for e in exercises:
        seen = [e.id]
        step = e.progression
        while step is not None:
            if step in seen:
                raise KnowledgeBaseError(
                    f"{where}: entry {e.id!r}: progression loops back ({' -> '.join(seen + [step])})"
                )
            seen.append(step)
            step = by_id[step].progression


def _parse_entry(entry: Any, fail) -> Exercise:
    if not isinstance(entry, dict):
        raise fail("must be a mapping of keys to values")
    missing = [k for k in _FIELDS if k not in entry]
    if missing:
        raise fail("missing key " + ", ".join(repr(k) for k in missing))
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise fail("unknown key " + ", ".join(repr(k) for k in unknown))

    values: Dict[str, Any] = {}
    for key in _STRING_FIELDS:
        value = entry[key]
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{key!r} must be a non-empty string")
        values[key] = value.strip()
    for key in _LIST_FIELDS:
        values[key] = _string_list(entry[key], key, fail, allow_empty=key == "muscles"
                                   and entry.get("category") in NON_TRAINING_CATEGORIES)
    for key in _BOOL_FIELDS:
        if not isinstance(entry[key], bool):
            raise fail(f"{key!r} must be true or false")
        values[key] = entry[key]
    for key in _LINK_FIELDS:
        value = entry[key]
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(f"{key!r} must be an exercise id or null")
        values[key] = value.strip() if isinstance(value, str) else None

    if not _SNAKE_CASE.match(values["id"]):
        raise fail(f"id {values['id']!r} is not snake_case")
    for key, allowed in _ENUMS.items():
        if values[key] not in allowed:
            raise fail(f"unknown {key} {values[key]!r}")
    for key, (noun, allowed) in _LIST_ENUMS.items():
        for value in values[key]:
            if value not in allowed:
                raise fail(f"unknown {noun} {value!r}")
    for alias in values["aliases"]:
        if alias != alias.lower():
            raise fail(f"alias {alias!r} must be lower case")
    is_aerobic = values["activity"] in AEROBIC_ACTIVITIES
    if is_aerobic != (values["category"] == "aerobic"):
        raise fail(
            f"category {values['category']!r} does not fit activity {values['activity']!r}"
            " (aerobic activities and the aerobic category go together)"
        )
    return Exercise(**values)


def _string_list(value: Any, key: str, fail, allow_empty: bool = False) -> Tuple[str, ...]:
    if not isinstance(value, list):
        raise fail(f"{key!r} must be a list of non-empty strings")
    items: List[str] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{key!r} item {number} must be a non-empty string")
        if item.strip() in items:
            raise fail(f"{key!r} lists {item.strip()!r} twice")
        items.append(item.strip())
    if key in _NON_EMPTY_LISTS and not items and not allow_empty:
        raise fail(f"{key!r} needs at least one item")
    return tuple(items)
