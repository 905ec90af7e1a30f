"""Surface words -> canonical entity values (the values in bot.records).

People describe pain and activity in their own words ("bum", "pins and needles",
"did my press ups"). The NLU model catches many of them; this table is the
deterministic safety net so the clinical rules only ever see canonical values.
Pure: no I/O, no Rasa.

Matching is on whole words after lower-casing; hyphens and punctuation separate
words, so "press-ups" == "press ups" and "backpack" is never "back". At each
position the longest surface form wins ("upper back" beats "back"). Negation is
deliberately not handled here ("no numbness" still finds numbness): the safety
rules decide what a negated symptom means.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Dict, List, Mapping, Optional, Tuple

from bot.records import ACTIVITIES, BODY_PARTS, CAUTIONS, MOVEMENTS, SIDES, SYMPTOMS, TRENDS

SPREADS = ("further", "retreat")

_Words = Tuple[str, ...]


def _back_of(*parts: str) -> Tuple[str, ...]:
    """'back of my knee', 'back of the knee', 'back of knee' for each part word."""
    return tuple(f"back of {det}{part}" for part in parts for det in ("my ", "the ", "your ", ""))


SYNONYMS: Mapping[str, Mapping[str, Tuple[str, ...]]] = MappingProxyType({
    "body_part": MappingProxyType({
        "lower_back": (
            "lower back", "low back", "back", "lumbar", "lumbar spine", "spine", "lower spine",
            "lower back pain", "low back pain", "back pain", "tailbone", "coccyx", "sacrum",
            "sacroiliac", "si joint", "small of my back", "small of the back", "lower backs",
        ),
        "upper_back": (
            "upper back", "mid back", "middle back", "midback", "upper spine", "thoracic",
            "thoracic spine", "shoulder blade", "shoulder blades", "between my shoulder blades",
        ),
        "buttock": (
            "buttock", "buttocks", "bum", "butt", "bottom", "glute", "glutes", "gluteal",
            "backside", "butt cheek", "bum cheek", "piriformis",
        ),
        "hip": ("hip", "hips", "hip joint", "side of my hip", "outer hip", "hip flexor", "hip flexors"),
        "groin": ("groin", "groins", "crotch"),
        "thigh": (
            "thigh", "thighs", "upper leg", "upper legs", "hamstring", "hamstrings", "quad",
            "quads", "quadriceps", "inner thigh", "outer thigh",
        ) + _back_of("thigh", "thighs"),
        "knee": ("knee", "knees", "kneecap", "behind the knee", "behind my knee") + _back_of("knee", "knees"),
        "calf": ("calf", "calves", "lower leg", "lower legs", "calf muscle") + _back_of("calf", "calves"),
        "shin": ("shin", "shins", "shinbone", "front of my shin", "front of my lower leg"),
        "foot": (
            "foot", "feet", "toe", "toes", "big toe", "ankle", "ankles", "heel", "heels",
            "sole", "soles", "sole of my foot", "top of my foot",
        ),
        "leg": ("leg", "legs", "down my leg", "down the leg", "whole leg") + _back_of("leg", "legs"),
    }),
    "side": MappingProxyType({
        "left": ("left", "left side", "left hand side", "left-hand side", "lhs", "the left"),
        "right": ("right", "right side", "right hand side", "right-hand side", "rhs", "the right"),
        "both": (
            "both", "both sides", "either side", "each side", "both legs", "on both sides",
            "left and right", "right and left", "bilateral", "both of them",
        ),
    }),
    "trend": MappingProxyType({
        "worse": (
            "worse", "more", "hurts more", "getting worse", "got worse", "increased",
            "increasing", "flaring", "flare", "flared", "flare up", "flared up", "worsening",
            "worsened", "gone up", "went up", "going up", "spreading", "aggravated", "bad day",
        ),
        "better": (
            "better", "less", "easing", "eased", "easier", "improving", "improved",
            "getting better", "got better", "gone down", "went down", "going down",
            "come down", "came down", "settling", "settled", "calmed down", "calmed", "calming down",
            "not as bad", "not so bad", "less bad", "not as sore", "less sore",
            "calmer", "calming", "good day", "hurts less", "reduced",
        ),
        "same": (
            "same", "no change", "unchanged", "about the same", "the same", "no different",
            "similar", "steady", "stable", "no better", "not better", "no worse", "not worse",
            "not any better", "not getting better", "no better no worse", "more or less the same",
            "nothing changed", "hasn't changed", "not changed",
        ),
    }),
    "symptom": MappingProxyType({
        "numbness": ("numb", "numbness", "numbed", "no feeling", "dead feeling", "lost feeling"),
        "tingling": ("tingling", "tingly", "tingle", "tingles", "pins and needles", "prickling", "prickly"),
        "weakness": (
            "weak", "weakness", "gives way", "give way", "giving way", "gave way", "buckles",
            "buckling", "buckled", "foot drop", "dropping my foot", "no strength",
        ),
        "burning": ("burning", "burn", "burns", "burny", "on fire", "hot pain"),
        "shooting": (
            "shooting", "shoots", "shot", "electric", "electric shock", "electric shocks",
            "zap", "zaps", "zapping", "stabbing", "lightning",
        ),
        "stiffness": ("stiff", "stiffness", "stiffer", "tight", "tightness", "rigid", "locked"),
        "spasm": (
            "spasm", "spasms", "spasming", "cramp", "cramps", "cramping", "seized up", "seized",
            "seizing up", "locked up", "knotted", "twinge", "twinges",
        ),
        "ache": ("ache", "aches", "aching", "achy", "sore", "soreness", "dull", "dull ache", "throbbing"),
    }),
    "activity": MappingProxyType({
        "walking": (
            "walk", "walks", "walked", "walking", "stroll", "strolled", "strolling", "hike",
            "hiked", "hiking", "ramble", "went for a walk", "power walk", "brisk walk",
        ),
        "cycling": (
            "bike", "biked", "biking", "bikes", "cycle", "cycled", "cycling", "bicycle",
            "exercise bike", "stationary bike", "stationary bicycle", "spin", "spinning",
            "spin class", "recumbent bike", "peloton",
        ),
        "swimming": ("swim", "swam", "swims", "swimming", "swum", "laps", "lengths"),
        "water_therapy": (
            "pool", "aqua", "aqua aerobics", "aquafit", "aqua fit", "water aerobics",
            "hydrotherapy", "hydro", "water therapy", "pool therapy", "water walking",
            "pool walking", "aquatic therapy", "aquatic",
        ),
        "stretching": (
            "stretch", "stretches", "stretched", "stretching", "yoga", "mobility",
            "hamstring stretch", "hamstring stretches",
        ),
        "strengthening": (
            "strengthening", "strength", "strength training", "weights", "weight training",
            "lifting weights", "gym", "resistance", "resistance band", "resistance bands",
            "squats", "deadlifts",
        ),
        "mckenzie": (
            "mckenzie", "press ups", "press up", "pressups", "pressup", "prone press ups",
            "extensions", "extension exercises", "back extensions", "extension",
            "cobra", "sphinx",
        ),
        "stabilization": (
            "core", "core exercises", "core work", "stabilization", "stabilisation",
            "stabilising", "stabilizing", "plank", "planks", "bird dog", "bird dogs",
            "dead bug", "dead bugs", "bridge", "bridges", "pilates", "neutral spine",
        ),
    }),
    # What the person was doing when the pain spread or eased (bot.records.MOVEMENTS).
    "movement": MappingProxyType({
        "sitting": (
            "sitting", "sat", "sit", "sitting down", "sat down", "at my desk", "at the desk",
            "desk", "driving", "drove", "drive", "long drive", "car journey", "on the sofa",
            "on the couch", "slouching", "slumped", "computer", "on the train",
        ),
        "bending": (
            "bending", "bent", "bend", "bent over", "bending over", "bending down", "bent down",
            "stooping", "stooped", "gardening", "weeding", "hoovering", "vacuuming",
            "tying my shoes", "tying my laces", "touching my toes", "making the bed", "mopping",
        ),
        "lifting": (
            "lifting", "lifted", "lift", "carrying", "carried", "carry", "picked up", "picking up",
            "pick up", "shopping bags", "boxes", "moving house", "moving furniture", "the baby",
            "my toddler", "lugging",
        ),
        "twisting": ("twisting", "twisted", "twist", "turning round", "golf", "reaching across"),
        "standing": ("standing", "stood", "stand", "standing up", "on my feet all day", "queueing"),
        "lying": (
            "lying on my front", "lying face down", "lying on my stomach", "lying on my tummy",
            "lying in bed", "lay in bed", "in bed all day", "lying down all day",
        ),
        "walking": ("walking", "walked", "walk", "hiking", "hiked"),
        "exercise": (
            "exercise", "exercises", "the exercises", "my exercises", "workout", "working out",
            "my stretches", "the stretches", "stretching", "the plan", "your plan",
        ),
    }),
    # Conditions that rule some exercises out (bot.records.CAUTIONS).
    "condition": MappingProxyType({
        "osteoporosis": ("osteoporosis", "osteopenia", "brittle bones", "thin bones", "low bone density"),
        "pregnancy": ("pregnant", "pregnancy", "expecting a baby", "weeks pregnant", "months pregnant"),
        "hip_replacement": (
            "hip replacement", "new hip", "replaced hip", "hip was replaced", "artificial hip",
            "hip surgery",
        ),
        "knee_pain": (
            "sore knees", "sore knee", "bad knees", "bad knee", "knee pain", "knee problems",
            "dodgy knee", "dodgy knees", "arthritic knees", "knee arthritis", "knees hurt",
            "knee hurts", "knee replacement",
        ),
    }),
    # Pain travelling further from the spine, or retreating toward it, in the person's words.
    "spread": MappingProxyType({
        "further": (
            "spreading", "spreading down", "spread down", "spread further", "spreads",
            "spreading further", "further down", "going down my leg", "goes down my leg",
            "gone down my leg", "going further down", "radiating", "radiates", "radiating down",
            "travelling down", "traveling down", "shooting down", "moving down", "moved down",
            "moving further down", "sciatica is worse", "sciatica s worse", "sciatica worse",
            "sciatica is getting worse", "sciatica has got worse", "sciatica got worse",
            "sciatica is flaring", "sciatica flared", "sciatica is bad", "sciatica is worse today",
            "leg pain is worse", "leg pain worse", "leg pain is getting worse", "leg is worse",
            "leg hurts more", "leg is getting worse", "legs are worse", "leg s worse",
        ),
        "retreat": (
            "only in my back", "only in my lower back", "only in my buttock", "only in my bum",
            "only in my butt", "only in my hip", "just in my back", "just in my lower back",
            "just my back", "just my lower back", "only my back", "only my lower back",
            "only in my buttock and lower back", "moved up", "moving up", "moved back up",
            "left my leg", "gone from my leg", "out of my leg", "not in my leg any more",
            "not in my leg anymore", "no longer in my leg", "no longer down my leg",
            "retreating", "centralising", "centralizing", "centralised", "centralized",
            "back into my back", "leg pain has gone", "leg pain is gone", "leg has stopped hurting",
        ),
    }),
})

# Phrases that contain a surface form but do not mean it ("came back", "right now").
# They are matched like surface forms and then yield nothing.
_BLOCKED: Mapping[str, Tuple[str, ...]] = MappingProxyType({
    "body_part": (
        "came back", "come back", "comes back", "coming back", "get back", "gets back",
        "getting back", "got back", "go back", "goes back", "going back", "went back",
        "be back", "bounce back", "back and forth", "back home", "back then", "way back",
        "cut back", "hold back", "held back", "look back", "looking back", "write back",
        "call back", "text back", "send back", "on my back", "on your back", "on the back",
        "left behind", "behind me", "behind schedule", "fell behind", "from behind",
        "bottom of", "bottom line", "top to bottom", "rock bottom",
        "back of my left", "back of my right", "back of the left", "back of the right",
        "back of your left", "back of your right",
        # reminders switched back on ("turn my reminders back on") are not a back
        "reminders back", "reminder back", "nudges back", "nudge back", "notifications back",
        "them back on", "it back on", "everything back on", "turn back on", "switch back on",
        "back on again",
    ),
    "side": (
        "right now", "all right", "right away", "right then", "that s right", "thats right",
        "is that right", "about right", "sounds right", "you re right", "right after",
        "right before", "left over", "leftover", "left out", "i left", "we left", "left home",
        "left work", "has left", "have left", "just left", "what s left", "whats left",
        "both of us", "right here", "right there",
    ),
    "trend": (
        "more or less", "any more", "once more", "no more", "more often", "more info",
        "more information", "tell me more", "learn more", "more exercises", "more details",
        "at the same time", "same time", "at least", "less than", "more than",
        "going up the stairs", "going up stairs", "going up the hill", "went up the stairs",
        "went up stairs", "gone up the stairs", "going down the stairs", "went down the stairs",
        "going down stairs", "steady pace", "a steady", "at a steady", "steady walk",
    ),
    "symptom": (
        "weak moment", "burn calories", "burned calories", "burnt calories", "flu shot",
        "booster shot", "a shot at", "give it a shot", "gave it a shot", "worth a shot",
    ),
    "activity": (
        "walk me through", "walk you through", "walked me through", "walking distance",
        "extension lead",
    ),
})



def blocked_phrases(entity: str) -> Tuple[str, ...]:
    """Phrases that look like `entity` but are not ("came back", "right now")."""
    return tuple(_BLOCKED.get(entity, ()))


_TOKEN_RE = re.compile(r"[^\W_]+")
_MAX_PHRASE = 8


def _words(text: str) -> _Words:
    """Lower-case word tokens; every non-letter/digit (hyphen, emoji, ') separates."""
    return tuple(_TOKEN_RE.findall(text.casefold()))


def _build() -> Tuple[Dict[str, Dict[_Words, Optional[str]]], Dict[str, int]]:
    tables: Dict[str, Dict[_Words, Optional[str]]] = {}
    longest: Dict[str, int] = {}
    for entity, values in SYNONYMS.items():
        table: Dict[_Words, Optional[str]] = {}
        for phrase in _BLOCKED.get(entity, ()):
            table[_words(phrase)] = None
        for value, forms in values.items():
            for form in forms + (value, value.replace("_", " ")):
                key = _words(form)
                if key and key not in table:
                    table[key] = value
        tables[entity] = table
        longest[entity] = min(_MAX_PHRASE, max(len(k) for k in table))
    return tables, longest


_TABLES, _LONGEST = _build()

_CANONICAL_BY_ENTITY: Mapping[str, Tuple[str, ...]] = MappingProxyType({
    "body_part": BODY_PARTS, "side": SIDES, "trend": TRENDS,
    "symptom": SYMPTOMS, "activity": ACTIVITIES,
    "movement": MOVEMENTS, "condition": CAUTIONS, "spread": SPREADS,
})


def _matches(entity: str, text: str) -> List[Optional[str]]:
    """Values (None for blocked phrases) found left to right, longest form first."""
    table = _TABLES.get(entity)
    if not table or not isinstance(text, str) or not text:
        return []
    words = _words(text)
    longest = _LONGEST[entity]
    found: List[Optional[str]] = []
    i, n = 0, len(words)
    while i < n:
        for size in range(min(longest, n - i), 0, -1):
            key = words[i:i + size]
            if key in table:
                found.append(table[key])
                i += size
                break
        else:
            i += 1
    return found


def find_values(entity: str, text: str) -> List[str]:
    """Canonical values of `entity` mentioned in free text, in order of first mention."""
    values: List[str] = []
    for value in _matches(entity, text):
        if value is not None and value not in values:
            values.append(value)
    return values


def canonical(entity: str, surface: str) -> Optional[str]:
    """One surface form (or a canonical value) -> its canonical value, else None.

    An exact form wins; otherwise a short phrase that names exactly one value
    ("my left leg" for body_part) is accepted, so NLU spans with extra words still map.
    """
    if entity not in _TABLES or not isinstance(surface, str):
        return None
    stripped = surface.strip().casefold()
    if stripped in _CANONICAL_BY_ENTITY[entity]:
        return stripped
    key = _words(stripped)
    if not key:
        return None
    if key in _TABLES[entity]:
        return _TABLES[entity][key]
    values = find_values(entity, stripped)
    return values[0] if len(values) == 1 else None
