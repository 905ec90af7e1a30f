"""Surface words map to the canonical values the clinical rules understand."""

import pytest

from bot.lexicon import SPREADS, SYNONYMS, canonical, find_values
from bot.records import ACTIVITIES, BODY_PARTS, CAUTIONS, MOVEMENTS, SIDES, SYMPTOMS, TRENDS

CANONICAL = {
    "body_part": BODY_PARTS, "side": SIDES, "trend": TRENDS,
    "symptom": SYMPTOMS, "activity": ACTIVITIES,
    "movement": MOVEMENTS, "condition": CAUTIONS, "spread": SPREADS,
}


def test_entities_and_values_match_records():
    assert set(SYNONYMS) == set(CANONICAL)
    for entity, values in SYNONYMS.items():
        assert set(values) == set(CANONICAL[entity]), entity
        for forms in values.values():
            assert forms and all(form == form.lower() for form in forms)


@pytest.mark.parametrize("entity,surface,value", [
    ("body_part", "lower back", "lower_back"), ("body_part", "low back", "lower_back"),
    ("body_part", "back", "lower_back"), ("body_part", "lumbar", "lower_back"),
    ("body_part", "spine", "lower_back"), ("body_part", "upper back", "upper_back"),
    ("body_part", "bum", "buttock"), ("body_part", "butt", "buttock"),
    ("body_part", "glute", "buttock"), ("body_part", "buttocks", "buttock"),
    ("body_part", "backside", "buttock"), ("body_part", "legs", "leg"),
    ("body_part", "feet", "foot"), ("body_part", "toes", "foot"), ("body_part", "ankle", "foot"),
    ("body_part", "calves", "calf"), ("body_part", "hips", "hip"), ("body_part", "thighs", "thigh"),
    ("body_part", "shins", "shin"), ("body_part", "knees", "knee"), ("body_part", "groin", "groin"),
    ("side", "both", "both"), ("side", "both sides", "both"), ("side", "either side", "both"),
    ("side", "left", "left"), ("side", "right side", "right"),
    ("trend", "worse", "worse"), ("trend", "more", "worse"), ("trend", "hurts more", "worse"),
    ("trend", "getting worse", "worse"), ("trend", "increased", "worse"), ("trend", "flaring", "worse"),
    ("trend", "better", "better"), ("trend", "less", "better"), ("trend", "easing", "better"),
    ("trend", "improving", "better"), ("trend", "eased", "better"),
    ("trend", "same", "same"), ("trend", "no change", "same"), ("trend", "unchanged", "same"),
    ("trend", "about the same", "same"),
    ("symptom", "numb", "numbness"), ("symptom", "numbness", "numbness"),
    ("symptom", "tingling", "tingling"), ("symptom", "tingly", "tingling"),
    ("symptom", "pins and needles", "tingling"), ("symptom", "weak", "weakness"),
    ("symptom", "gives way", "weakness"), ("symptom", "burning", "burning"),
    ("symptom", "shooting", "shooting"), ("symptom", "electric", "shooting"),
    ("symptom", "zaps", "shooting"), ("symptom", "stiff", "stiffness"),
    ("symptom", "spasm", "spasm"), ("symptom", "spasms", "spasm"), ("symptom", "cramp", "spasm"),
    ("symptom", "seized up", "spasm"), ("symptom", "ache", "ache"), ("symptom", "aching", "ache"),
    ("symptom", "sore", "ache"), ("symptom", "dull", "ache"),
    ("activity", "walk", "walking"), ("activity", "walked", "walking"), ("activity", "stroll", "walking"),
    ("activity", "hike", "walking"), ("activity", "bike", "cycling"), ("activity", "biked", "cycling"),
    ("activity", "exercise bike", "cycling"), ("activity", "stationary bike", "cycling"),
    ("activity", "spin", "cycling"), ("activity", "swim", "swimming"), ("activity", "swam", "swimming"),
    ("activity", "pool", "water_therapy"), ("activity", "aqua", "water_therapy"),
    ("activity", "water aerobics", "water_therapy"), ("activity", "hydrotherapy", "water_therapy"),
    ("activity", "stretch", "stretching"), ("activity", "stretches", "stretching"),
    ("activity", "stretched", "stretching"), ("activity", "weights", "strengthening"),
    ("activity", "gym", "strengthening"), ("activity", "strengthening", "strengthening"),
    ("activity", "mckenzie", "mckenzie"), ("activity", "press ups", "mckenzie"),
    ("activity", "press-ups", "mckenzie"), ("activity", "extensions", "mckenzie"),
    ("activity", "core", "stabilization"), ("activity", "plank", "stabilization"),
    ("activity", "bird dog", "stabilization"), ("activity", "stabilization", "stabilization"),
])
def test_canonical_surface_forms(entity, surface, value):
    assert canonical(entity, surface) == value
    assert canonical(entity, surface.upper()) == value
    assert find_values(entity, f"well... {surface}!") == [value]


@pytest.mark.parametrize("entity", sorted(CANONICAL))
def test_canonical_values_map_to_themselves(entity):
    for value in CANONICAL[entity]:
        assert canonical(entity, value) == value
        assert canonical(entity, value.replace("_", " ")) == value


def test_canonical_unknowns():
    assert canonical("body_part", "elbow") is None
    assert canonical("body_part", "") is None
    assert canonical("body_part", "😀") is None
    assert canonical("no_such_entity", "back") is None
    assert canonical("body_part", None) is None  # type: ignore[arg-type]


def test_canonical_accepts_an_nlu_span_with_extra_words():
    assert canonical("body_part", "my left leg") == "leg"
    assert canonical("side", "my left leg") == "left"
    assert canonical("body_part", "back and leg") is None  # two values: ambiguous


def test_longest_match_wins():
    assert find_values("body_part", "my lower back hurts") == ["lower_back"]
    assert find_values("body_part", "pain in my upper back") == ["upper_back"]
    assert find_values("body_part", "upper back and lower back") == ["upper_back", "lower_back"]
    assert find_values("body_part", "pain behind the knee") == ["knee"]
    assert find_values("body_part", "the back of my thigh") == ["thigh"]
    assert find_values("trend", "about the same as yesterday") == ["same"]
    assert find_values("trend", "more or less the same") == ["same"]
    assert find_values("activity", "20 minutes on the exercise bike") == ["cycling"]


def test_order_of_first_appearance_without_duplicates():
    text = "Pain went from my back to my bum, then down the back of my leg to my foot. Back is sore."
    assert find_values("body_part", text) == ["lower_back", "buttock", "leg", "foot"]
    assert find_values("symptom", "numb and tingly, pins and needles, numbness again") == [
        "numbness", "tingling"]


def test_punctuation_and_emoji_around_words():
    assert find_values("body_part", "😩back!!! (calves) ...feet?") == ["lower_back", "calf", "foot"]
    assert find_values("symptom", "tingling😖, numb.") == ["tingling", "numbness"]
    assert find_values("side", "LEFT-side") == ["left"]
    assert find_values("activity", "Did my press-ups + bird-dogs 💪") == ["mckenzie", "stabilization"]


@pytest.mark.parametrize("entity,text", [
    ("body_part", "I carry a backpack"),
    ("body_part", "feedback welcome"),
    ("body_part", "I came back home"),
    ("body_part", "my kneecapping days are over"),
    ("body_part", "the legacy of it"),
    ("body_part", "a spinet piano"),
    ("side", "alright, right now I'm fine"),
    ("side", "bothered by nothing"),
    ("trend", "moreover"),
    ("trend", "lessons learned"),
    ("symptom", "numbers are fine"),
    ("symptom", "sorely needed"),
    ("activity", "walkie talkie"),
    ("activity", "spinach for dinner"),
    ("activity", "a cored apple"),
    ("activity", "a poolside view"),
])
def test_whole_words_only(entity, text):
    assert find_values(entity, text) == []


def test_my_lower_back_is_worse_is_not_a_better_trend():
    assert find_values("trend", "my lower back is worse") == ["worse"]


def test_empty_unknown_and_non_text_inputs():
    assert find_values("body_part", "") == []
    assert find_values("body_part", "😀🙂") == []
    assert find_values("no_such_entity", "back") == []
    assert find_values("body_part", None) == []  # type: ignore[arg-type]


def test_huge_text_is_read_to_the_end():
    text = "backpack " * 12000 + "and my calf"
    assert find_values("body_part", text) == ["calf"]
    for entity in CANONICAL:
        find_values(entity, "x" * 100_000)
