"""The exercise knowledge base: packaged content, validation errors and look-ups."""
import re

import pytest
import yaml

from bot.knowledge import (
    KnowledgeBase, KnowledgeBaseError, default_knowledge_base, load_knowledge_base,
)
from bot.knowledge.model import CATEGORIES, DIRECTIONS, MUSCLES, Exercise
from bot.records import ACTIVITIES, AEROBIC_ACTIVITIES, PHASES

REQUIRED_IDS = {
    "stretching": [
        "hamstring_stretch_supine", "hamstring_stretch_standing", "knee_to_chest",
        "double_knee_to_chest", "piriformis_stretch", "hip_flexor_stretch", "cat_cow",
        "childs_pose", "lower_trunk_rotation",
    ],
    "mckenzie_extension": ["prone_lying", "prone_on_elbows", "prone_press_up", "standing_extension"],
    "flexion": ["seated_flexion"],
    "stabilization": [
        "neutral_spine", "abdominal_bracing", "dead_bug", "bird_dog", "side_plank_modified",
        "glute_bridge", "front_plank",
    ],
    "strengthening": ["prone_back_extension", "partial_curl_up", "wall_squat", "oblique_crunch_gentle"],
    "aerobic": ["continuous_walking", "stationary_bike", "pool_walking", "gentle_swimming"],
}
ALL_REQUIRED = [i for ids in REQUIRED_IDS.values() for i in ids]


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


# ------------------------------------------------------------------ packaged content

def test_packaged_file_has_every_required_id(kb):
    assert len(ALL_REQUIRED) == 29
    assert len(kb) >= 25
    ids = [e.id for e in kb]
    assert set(ALL_REQUIRED) <= set(ids)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("category,ids", REQUIRED_IDS.items())
def test_required_ids_have_their_category(kb, category, ids):
    for exercise_id in ids:
        assert kb.get(exercise_id).category == category


def test_default_knowledge_base_is_cached(kb):
    assert default_knowledge_base() is kb
    assert load_knowledge_base() is not kb  # an explicit load reads the file again
    assert [e.id for e in load_knowledge_base()] == [e.id for e in kb]


def test_entries_are_well_formed(kb):
    for e in kb:
        assert isinstance(e, Exercise)
        for field in ("aliases", "muscles", "phases", "cautions", "steps"):
            assert isinstance(getattr(e, field), tuple), (e.id, field)
        assert e.category in CATEGORIES and e.direction in DIRECTIONS and e.activity in ACTIVITIES
        assert set(e.muscles) <= set(MUSCLES) and set(e.phases) <= set(PHASES)
        assert 3 <= len(e.steps) <= 6, e.id
        assert all(not re.match(r"\s*\d", step) for step in e.steps), e.id  # not numbered
        assert e.cautions and e.dose and e.progression, e.id
        assert all(a == a.lower() for a in e.aliases), e.id
        assert (e.category == "aerobic") == (e.activity in AEROBIC_ACTIVITIES), e.id


def test_activity_mapping(kb):
    for e in kb.by_category("stretching"):
        assert e.activity == "stretching"
    for e in kb.by_category("mckenzie_extension"):
        assert e.activity == "mckenzie"
    assert kb.get("continuous_walking").activity == "walking"
    assert kb.get("stationary_bike").activity == "cycling"
    assert kb.get("pool_walking").activity == "water_therapy"
    assert kb.get("gentle_swimming").activity == "swimming"


def test_mckenzie_ladder_is_gentlest_first(kb):
    ladder = [e.id for e in kb.by_category("mckenzie_extension")]
    assert ladder == ["prone_lying", "prone_on_elbows", "prone_press_up", "standing_extension"]
    assert all(kb.get(i).direction == "extension" for i in ladder)


def test_flexion_alternatives(kb):
    for exercise_id in ("seated_flexion", "knee_to_chest", "double_knee_to_chest", "childs_pose"):
        assert kb.get(exercise_id).direction == "flexion"
    assert kb.get("childs_pose").category == "stretching"


def test_extension_exercises_warn_about_spreading_and_praise_centralizing(kb):
    extension = [e for e in kb if e.direction == "extension"]
    assert len(extension) >= 5
    for e in extension:
        text = " ".join(e.cautions).lower()
        assert "further down" in text and "stop" in text, e.id
        assert "toward" in text and "good sign" in text, e.id


def test_strengthening_covers_the_three_muscle_groups(kb):
    muscles = {m for e in kb.by_category("strengthening") for m in e.muscles}
    assert {"extensors", "flexors", "obliques"} <= muscles
    assert "extensors" in kb.get("prone_back_extension").muscles
    assert "flexors" in kb.get("partial_curl_up").muscles
    assert "obliques" in kb.get("oblique_crunch_gentle").muscles


def test_hamstring_stretches_target_hamstrings_and_one_is_acute(kb):
    hamstring = [e for e in kb.by_category("stretching") if "hamstrings" in e.muscles]
    assert {e.id for e in hamstring} >= {"hamstring_stretch_supine", "hamstring_stretch_standing"}
    assert any("acute" in e.phases for e in hamstring)


def test_aerobic_entries_match_the_guidance(kb):
    walk = kb.get("continuous_walking")
    assert walk.dose == "20-30 minutes without stopping at a steady pace"
    assert "stop-start" in " ".join(walk.cautions).lower()
    assert "leaning forward" in " ".join(kb.get("stationary_bike").cautions).lower() or \
        "bent forward" in " ".join(kb.get("stationary_bike").cautions).lower()
    assert "pain is high" in " ".join(kb.get("pool_walking").cautions).lower()
    assert {e.activity for e in kb.by_category("aerobic")} == set(AEROBIC_ACTIVITIES)


def test_every_phase_has_gentle_options(kb):
    for phase in PHASES:
        assert any("hamstrings" in e.muscles for e in kb if phase in e.phases)
    acute = {e.category for e in kb if "acute" in e.phases}
    assert {"stretching", "mckenzie_extension", "flexion", "aerobic"} <= acute
    assert not any("acute" in e.phases for e in kb.by_category("strengthening"))


def test_no_medication_dosing(kb):
    pattern = re.compile(r"\b\d+\s*(mg|mcg|ml)\b|\b(tablets?|pills?|ibuprofen|paracetamol|"
                         r"acetaminophen|naproxen|codeine|opioids?|medications?|medicines?)\b", re.I)
    for e in kb:
        text = " ".join([e.name, e.dose, e.progression, *e.cautions, *e.steps])
        assert not pattern.search(text), e.id


def test_by_category_and_activity(kb):
    assert len(kb.by_category("stabilization")) == 7
    assert all(e.category == "stabilization" for e in kb.by_category("stabilization"))
    assert [e.id for e in kb.by_activity("cycling")] == ["stationary_bike"]
    assert kb.by_category("nonsense") == ()
    assert isinstance(kb.by_activity("mckenzie"), tuple)
    assert kb.get("no_such_exercise") is None


# ------------------------------------------------------------------ find()

@pytest.mark.parametrize("text,expected", [
    ("how do I do a bird dog?", "bird_dog"),
    ("Bird dogs make my back ache", "bird_dog"),
    ("what about the bird-dog", "bird_dog"),
    ("BIRD DOG", "bird_dog"),
    ("tell me about bird_dog", "bird_dog"),
    ("are supermans ok?", "prone_back_extension"),
    ("how many press ups should I do", "prone_press_up"),
    ("press-ups hurt", "prone_press_up"),
    ("prone press up", "prone_press_up"),
    ("show me the double knee to chest stretch", "double_knee_to_chest"),
    ("knee to chest", "knee_to_chest"),
    ("standing hamstring stretch please", "hamstring_stretch_standing"),
    ("my hamstring stretches feel tight", "hamstring_stretch_supine"),
    ("hamstring stretch supine", "hamstring_stretch_supine"),
    ("how long should I hold child's pose", "childs_pose"),
    ("side plank", "side_plank_modified"),
    ("can I do planks?", "front_plank"),
    ("is walking in the pool good?", "pool_walking"),
    ("I'd like to go for a walk", "continuous_walking"),
    ("cat-cow", "cat_cow"),
    ("standing back extension", "standing_extension"),
    ("back extensions", "prone_back_extension"),
    ("the exercise bike at the gym", "stationary_bike"),
    ("figure 4 stretch", "piriformis_stretch"),
])
def test_find_in_free_text(kb, text, expected):
    found = kb.find(text)
    assert found is not None and found.id == expected


@pytest.mark.parametrize("text", ["", "hello there", "I walked along the sidewalk", "bridgework", "dogs"])
def test_find_returns_none_without_a_whole_word_match(kb, text):
    assert kb.find(text) is None


# ------------------------------------------------------------------ validation

def entry(**changes):
    base = {
        "id": "bird_dog", "name": "Bird dog", "aliases": ["birddog"],
        "category": "stabilization", "activity": "stabilization", "muscles": ["extensors"],
        "phases": ["subacute"], "direction": "neutral", "cautions": ["Keep your back level."],
        "dose": "8 reps each side", "progression": "Hold longer.",
        "steps": ["Kneel on all fours.", "Reach out.", "Come back."],
    }
    base.update(changes)
    return base


def other(**changes):
    return entry(**{"id": "glute_bridge", "name": "Glute bridge", "aliases": ["bridge"], **changes})


def write(tmp_path, data, name="exercises.yml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def test_valid_file_loads_into_tuples(tmp_path):
    kb = load_knowledge_base(write(tmp_path, {"exercises": [entry(), other()]}))
    assert isinstance(kb, KnowledgeBase) and len(kb) == 2
    assert isinstance(kb.exercises, tuple)
    assert kb.get("bird_dog").aliases == ("birddog",)
    assert kb.get("bird_dog").steps == ("Kneel on all fours.", "Reach out.", "Come back.")
    assert [e.id for e in kb] == ["bird_dog", "glute_bridge"]


@pytest.mark.parametrize("changes,problem", [
    ({"category": "core"}, "unknown category 'core'"),
    ({"activity": "yoga"}, "unknown activity 'yoga'"),
    ({"direction": "sideways"}, "unknown direction 'sideways'"),
    ({"muscles": ["extensors", "core"]}, "unknown muscle 'core'"),
    ({"phases": ["forever"]}, "unknown phase 'forever'"),
    ({"steps": []}, "'steps' needs at least one item"),
    ({"muscles": []}, "'muscles' needs at least one item"),
    ({"name": ""}, "'name' must be a non-empty string"),
    ({"dose": 10}, "'dose' must be a non-empty string"),
    ({"aliases": "birddog"}, "'aliases' must be a list"),
    ({"cautions": ["fine", ""]}, "'cautions' item 2 must be a non-empty string"),
    ({"steps": ["Do it.", None]}, "'steps' item 2 must be a non-empty string"),
    ({"aliases": ["Bird Doggy"]}, "alias 'Bird Doggy' must be lower case"),
    ({"aliases": ["birddog", "birddog"]}, "lists 'birddog' twice"),
    ({"category": "aerobic"}, "does not fit activity"),
    ({"category": "stretching", "activity": "walking"}, "does not fit activity"),
    ({"colour": "red"}, "unknown key 'colour'"),
])
def test_bad_entry_message_names_file_entry_and_problem(tmp_path, changes, problem):
    path = write(tmp_path, {"exercises": [other(), entry(**changes)]})
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(path)
    message = str(info.value)
    assert message.startswith("exercises.yml: entry 'bird_dog': ")
    assert problem in message


def test_missing_key_is_named(tmp_path):
    bad = entry()
    del bad["dose"], bad["steps"]
    with pytest.raises(KnowledgeBaseError, match=r"entry 'bird_dog': missing key 'dose', 'steps'"):
        load_knowledge_base(write(tmp_path, {"exercises": [bad]}))


def test_entry_without_id_is_named_by_position(tmp_path):
    bad = other()
    del bad["id"]
    with pytest.raises(KnowledgeBaseError, match=r"^exercises\.yml: entry #2: missing key 'id'"):
        load_knowledge_base(write(tmp_path, {"exercises": [entry(), bad]}))


def test_entry_that_is_not_a_mapping(tmp_path):
    with pytest.raises(KnowledgeBaseError, match=r"entry #1: must be a mapping"):
        load_knowledge_base(write(tmp_path, {"exercises": ["bird_dog"]}))


def test_id_must_be_snake_case(tmp_path):
    with pytest.raises(KnowledgeBaseError, match=r"entry 'Bird-Dog': id 'Bird-Dog' is not snake_case"):
        load_knowledge_base(write(tmp_path, {"exercises": [entry(id="Bird-Dog")]}))


def test_duplicate_id(tmp_path):
    data = {"exercises": [entry(), entry(aliases=[], name="Another")]}
    with pytest.raises(KnowledgeBaseError, match=r"entry 'bird_dog': duplicate id 'bird_dog'"):
        load_knowledge_base(write(tmp_path, data))


def test_alias_shared_across_entries(tmp_path):
    data = {"exercises": [entry(), other(aliases=["bridge", "bird dog"])]}
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(write(tmp_path, data))
    assert "entry 'glute_bridge'" in str(info.value)
    assert "'bird dog' is already used by 'bird_dog'" in str(info.value)


def test_file_name_is_in_the_message(tmp_path):
    path = write(tmp_path, {"exercises": [entry(category="core")]}, name="custom.yml")
    with pytest.raises(KnowledgeBaseError, match=r"^custom\.yml: entry 'bird_dog': unknown category 'core'$"):
        load_knowledge_base(path)


@pytest.mark.parametrize("text,problem", [
    ("exercises: [unclosed", "invalid YAML"),
    ("- just a list\n", "top-level 'exercises:' list"),
    ("exercises: {}\n", "top-level 'exercises:' list"),
    ("exercises: []\n", "is empty"),
    ("exercises: []\nextra: 1\n", "unknown top-level key 'extra'"),
])
def test_bad_file_shapes(tmp_path, text, problem):
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(write(tmp_path, text))
    assert str(info.value).startswith("exercises.yml: ")
    assert problem in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(KnowledgeBaseError, match=r"nope\.yml: cannot read file"):
        load_knowledge_base(tmp_path / "nope.yml")


def test_error_is_a_value_error():
    assert issubclass(KnowledgeBaseError, ValueError)
