"""The exercise knowledge base: packaged content, validation errors and look-ups."""
import re

import pytest
import yaml

from bot.knowledge import (
    KnowledgeBase, KnowledgeBaseError, default_knowledge_base, load_knowledge_base,
)
from bot.exercise_info import answer_exercise_question, describe_exercise
from bot.knowledge.model import (
    CATEGORIES, DIRECTIONS, MUSCLE_GROUPS, MUSCLES, NON_TRAINING_CATEGORIES, PAIN_RULE, Exercise,
    muscle_groups,
)
from bot.records import ACTIVITIES, AEROBIC_ACTIVITIES, CAUTIONS, PHASES

REQUIRED_IDS = {
    "stretching": [
        "hamstring_stretch_supine", "hamstring_stretch_standing", "knee_to_chest",
        "double_knee_to_chest", "piriformis_stretch", "hip_flexor_stretch", "cat_cow",
        "childs_pose", "lower_trunk_rotation",
    ],
    "mckenzie_extension": ["prone_lying", "prone_on_elbows", "prone_press_up", "standing_extension"],
    "mckenzie_side_glide": ["mckenzie_side_glide"],
    "flexion": ["seated_flexion"],
    "nerve_glide": ["sciatic_nerve_glide"],
    "relief_position": ["crook_lying", "ninety_ninety_rest", "side_lying_rest"],
    "stabilization": [
        "neutral_spine", "abdominal_bracing", "dead_bug", "bird_dog", "side_plank_modified",
        "glute_bridge", "front_plank",
    ],
    "strengthening": [
        "prone_back_extension", "partial_curl_up", "side_plank_full", "sit_to_stand", "wall_squat",
        "wall_push_up", "band_row",
    ],
    "aerobic": ["continuous_walking", "stationary_bike", "recumbent_bike", "pool_walking", "gentle_swimming"],
}
ALL_REQUIRED = [i for ids in REQUIRED_IDS.values() for i in ids]


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


# ------------------------------------------------------------------ packaged content

def test_packaged_file_has_every_required_id(kb):
    assert len(ALL_REQUIRED) == 38
    assert len(kb) >= 38
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
        for field in ("aliases", "muscles", "phases", "cautions", "take_care", "steps"):
            assert isinstance(getattr(e, field), tuple), (e.id, field)
        assert e.category in CATEGORIES and e.direction in DIRECTIONS and e.activity in ACTIVITIES
        assert set(e.muscles) <= set(MUSCLES) and set(e.phases) <= set(PHASES)
        assert set(e.cautions) <= set(CAUTIONS), e.id
        assert isinstance(e.end_range, bool) and isinstance(e.nerve_tension, bool), e.id
        assert 3 <= len(e.steps) <= 6, e.id
        assert all(not re.match(r"\s*\d", step) for step in e.steps), e.id  # not numbered
        assert e.take_care and e.dose and e.next_step, e.id
        assert e.muscles or e.category in NON_TRAINING_CATEGORIES, e.id
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


def _chain(kb, start, key="progression"):
    found = [start]
    while getattr(kb.get(found[-1]), key):
        found.append(getattr(kb.get(found[-1]), key))
    return found


def test_mckenzie_ladder_follows_progression_links(kb):
    assert _chain(kb, "prone_lying") == ["prone_lying", "prone_on_elbows", "prone_press_up"]
    assert _chain(kb, "prone_press_up", "regression") == ["prone_press_up", "prone_on_elbows", "prone_lying"]
    assert all(kb.get(i).direction == "extension" for i in _chain(kb, "prone_lying"))


def test_standing_extension_is_an_alternative_not_a_step_up_from_press_ups(kb):
    press_up, standing = kb.get("prone_press_up"), kb.get("standing_extension")
    assert press_up.progression != "standing_extension"
    assert standing.regression != "prone_press_up"
    assert standing.regression == press_up.regression  # the same step of the ladder
    assert all(e.progression != "standing_extension" for e in kb)
    assert "alternative" in standing.next_step.lower()


def test_every_progression_and_regression_resolves(kb):
    linked = 0
    for e in kb:
        for key in ("progression", "regression"):
            target = getattr(e, key)
            if target is None:
                continue
            linked += 1
            assert kb.get(target) is not None, (e.id, key, target)
            assert target != e.id
            assert kb.get(target).category != "aerobic" or e.category == "aerobic", (e.id, target)
    assert linked >= 15


def test_progression_and_regression_agree_along_chains(kb):
    # a step up from A that names an easier step names A (alternatives may share one)
    for e in kb:
        if e.progression:
            back = kb.get(e.progression).regression
            assert back in (None, e.id), (e.id, e.progression, back)


def test_every_entry_has_a_frequency(kb):
    for e in kb:
        assert re.search(r"\b(day|week)\b", e.frequency), (e.id, e.frequency)
        assert not re.search(r"\b(day|week)\b", e.dose) or e.category == "aerobic", (e.id, e.dose)


def test_pain_rule_is_written_once_and_shown_with_every_exercise(kb):
    assert "settle" in PAIN_RULE and "leg" in PAIN_RULE
    for e in kb:
        text = " ".join([e.dose, e.frequency, e.next_step, *e.take_care, *e.steps])
        assert "settles" not in text, e.id  # not copied into entries
        assert PAIN_RULE in describe_exercise(e, kb)


def test_cat_cow_is_not_tagged_neutral(kb):
    cat_cow = kb.get("cat_cow")
    assert cat_cow.direction != "neutral"
    assert cat_cow.moves_in("flexion") and cat_cow.moves_in("extension")
    assert cat_cow.end_range


def test_the_oblique_curl_up_is_replaced_by_a_side_plank(kb):
    assert kb.get("oblique_crunch_gentle") is None
    for e in kb:
        words = " ".join([e.name, *e.aliases]).lower()
        assert "crunch" not in words or "oblique" not in words, e.id
        assert "twist" not in " ".join(e.steps).lower() or e.category != "strengthening", e.id
    side = kb.get("side_plank_full")
    assert side.category == "strengthening" and "obliques" in side.muscles
    assert side.regression == "side_plank_modified"
    assert kb.get("side_plank_modified").progression == "side_plank_full"


def test_no_knees_over_toes_cue(kb):
    for e in kb:
        text = " ".join([*e.take_care, *e.steps, e.next_step]).lower()
        assert not re.search(r"(past|over|beyond|in front of) (your |the )?toes", text), e.id


def test_recumbent_bike_is_not_the_upright_bike(kb):
    assert "recumbent bike" not in kb.get("stationary_bike").aliases
    assert kb.find("I use the recumbent bike at the gym").id == "recumbent_bike"
    assert kb.find("the exercise bike").id == "stationary_bike"
    assert kb.get("recumbent_bike").direction != "flexion"  # you sit back, not leaning forward


@pytest.mark.parametrize("exercise_id,cautions", [
    ("partial_curl_up", {"osteoporosis"}),
    ("seated_flexion", {"osteoporosis", "hip_replacement"}),
    ("prone_press_up", {"pregnancy"}),
    ("prone_lying", {"pregnancy"}),
    ("prone_back_extension", {"pregnancy"}),
    ("front_plank", {"pregnancy"}),
    ("piriformis_stretch", {"hip_replacement"}),
    ("childs_pose", {"hip_replacement", "knee_pain", "osteoporosis"}),
    ("wall_squat", {"knee_pain"}),
    ("hip_flexor_stretch", {"knee_pain"}),
])
def test_cautions_a_physiotherapist_would_expect(kb, exercise_id, cautions):
    assert cautions <= set(kb.get(exercise_id).cautions)


def test_gentle_options_stay_open_for_every_caution(kb):
    for caution in CAUTIONS:
        open_ = [e for e in kb if caution not in e.cautions]
        assert any(e.category == "relief_position" for e in open_), caution
        assert any(e.category == "aerobic" for e in open_), caution
        assert any(e.category == "stabilization" and "acute" in e.phases for e in open_), caution
    assert not any(kb.get("continuous_walking").cautions)


def test_nerve_tension_and_end_range_tags(kb):
    tensed = {e.id for e in kb if e.nerve_tension}
    assert tensed == {"hamstring_stretch_supine", "hamstring_stretch_standing", "sciatic_nerve_glide"}
    end = {e.id for e in kb if e.end_range}
    assert {"prone_press_up", "standing_extension", "seated_flexion", "childs_pose",
            "double_knee_to_chest", "cat_cow", "lower_trunk_rotation"} <= end
    assert not end & {"prone_lying", "prone_on_elbows", "neutral_spine", "crook_lying",
                      "continuous_walking", "knee_to_chest"}
    assert all(e.direction != "neutral" for e in kb if e.end_range)


def test_the_nerve_glide_is_gentle_and_not_for_spreading_pain(kb):
    glide = kb.get("sciatic_nerve_glide")
    assert glide.nerve_tension and not glide.end_range
    text = " ".join(glide.take_care).lower()
    assert "spreading" in text and "not" in text
    assert "acute" not in glide.phases


def test_new_exercises_the_article_asks_for(kb):
    arms = [e for e in kb.by_category("strengthening") if "arms" in e.muscles]
    legs = [e for e in kb.by_category("strengthening") if {"quadriceps", "gluteals"} & set(e.muscles)]
    assert {"wall_push_up", "band_row"} <= {e.id for e in arms}
    assert {"sit_to_stand", "wall_squat"} <= {e.id for e in legs}
    assert kb.get("sit_to_stand").progression == "wall_squat"
    assert kb.get("mckenzie_side_glide").direction == "lateral"


# ------------------------------------------------------------------ muscle groups

def test_muscle_groups_use_the_articles_terms(kb):
    assert MUSCLE_GROUPS["gluteals"] == "extensors" and MUSCLE_GROUPS["hip_flexors"] == "flexors"
    assert muscle_groups(kb.get("prone_back_extension"))[0] == "extensors"
    assert muscle_groups(kb.get("partial_curl_up")) == ("flexors",)
    assert muscle_groups(kb.get("side_plank_full")) == ("obliques",)
    assert set(MUSCLES) - {"whole_body"} <= set(MUSCLE_GROUPS)


@pytest.mark.parametrize("exercise_id,words", [
    ("prone_back_extension", ["extensors", "back and buttock"]),
    ("partial_curl_up", ["flexors", "stomach", "iliopsoas"]),
    ("side_plank_full", ["obliques", "rotators"]),
    ("bird_dog", ["extensors", "obliques"]),
    ("wall_push_up", ["arm"]),
])
def test_explaining_an_exercise_names_its_muscle_group(kb, exercise_id, words):
    text = describe_exercise(kb.get(exercise_id), kb).lower()
    for word in words:
        assert word in text, (exercise_id, word)
    assert "dose:" in text and kb.get(exercise_id).frequency in text


def test_explaining_names_the_easier_and_harder_steps(kb):
    text = answer_exercise_question("how do I do the propped on elbows one", None, kb)
    assert "Harder version: Prone press-up" in text
    assert "Easier version: Lying face down" in text


def test_flexion_alternatives(kb):
    for exercise_id in ("seated_flexion", "knee_to_chest", "double_knee_to_chest", "childs_pose"):
        assert kb.get(exercise_id).direction == "flexion"
    assert kb.get("childs_pose").category == "stretching"


def test_extension_exercises_warn_about_spreading_and_praise_centralizing(kb):
    extension = [e for e in kb if e.direction == "extension"]
    assert len(extension) >= 5
    for e in extension:
        text = " ".join(e.take_care).lower()
        assert "further down" in text and "stop" in text, e.id
        assert "toward" in text and "good sign" in text, e.id


def test_strengthening_covers_the_three_muscle_groups(kb):
    muscles = {m for e in kb.by_category("strengthening") for m in e.muscles}
    assert {"extensors", "flexors", "obliques"} <= muscles
    assert "extensors" in kb.get("prone_back_extension").muscles
    assert "flexors" in kb.get("partial_curl_up").muscles
    assert "obliques" in kb.get("side_plank_full").muscles


def test_hamstring_stretches_target_hamstrings_and_one_is_acute(kb):
    hamstring = [e for e in kb.by_category("stretching") if "hamstrings" in e.muscles]
    assert {e.id for e in hamstring} >= {"hamstring_stretch_supine", "hamstring_stretch_standing"}
    assert any("acute" in e.phases for e in hamstring)


def test_aerobic_entries_match_the_guidance(kb):
    walk = kb.get("continuous_walking")
    assert walk.dose == "20-30 minutes without stopping at a steady pace"
    assert "stop-start" in " ".join(walk.take_care).lower()
    assert "leaning forward" in " ".join(kb.get("stationary_bike").take_care).lower() or \
        "bent forward" in " ".join(kb.get("stationary_bike").take_care).lower()
    assert "pain is high" in " ".join(kb.get("pool_walking").take_care).lower()
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
        text = " ".join([e.name, e.dose, e.frequency, e.next_step, *e.take_care, *e.steps])
        assert not pattern.search(text), e.id


def test_by_category_and_activity(kb):
    assert len(kb.by_category("stabilization")) == 7
    assert all(e.category == "stabilization" for e in kb.by_category("stabilization"))
    assert [e.id for e in kb.by_activity("cycling")] == ["stationary_bike", "recumbent_bike"]
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
    # entries added for the article's arm and leg strengthening, side glide and nerve glide
    ("how do I do a wall push up", "wall_push_up"),
    ("wall push-ups?", "wall_push_up"),
    ("how do i do sit to stands", "sit_to_stand"),
    ("chair stands", "sit_to_stand"),
    ("show me the band row", "band_row"),
    ("resistance band rows", "band_row"),
    ("what is a side glide", "mckenzie_side_glide"),
    ("mckenzie side glide", "mckenzie_side_glide"),
    ("how do I do a nerve glide", "sciatic_nerve_glide"),
    ("nerve flossing for sciatica", "sciatic_nerve_glide"),
    ("full side plank", "side_plank_full"),
    ("crook lying", "crook_lying"),
    ("can I put my legs on a chair", "ninety_ninety_rest"),
    ("is lying on my side ok", "side_lying_rest"),
    ("recumbent bike", "recumbent_bike"),
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
        "phases": ["subacute"], "direction": "neutral", "end_range": False, "nerve_tension": False,
        "cautions": ["knee_pain"], "take_care": ["Keep your back level."],
        "frequency": "once a day", "dose": "8 reps each side", "progression": None,
        "regression": None, "next_step": "Hold longer.",
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
    assert kb.get("bird_dog").cautions == ("knee_pain",)
    assert kb.get("bird_dog").progression is None and kb.get("bird_dog").end_range is False
    assert [e.id for e in kb] == ["bird_dog", "glute_bridge"]


def test_links_between_entries_load(tmp_path):
    data = {"exercises": [entry(progression="glute_bridge"), other(regression="bird_dog")]}
    kb = load_knowledge_base(write(tmp_path, data))
    assert kb.get("bird_dog").progression == "glute_bridge"
    assert kb.get("glute_bridge").regression == "bird_dog"


def test_a_progression_loop_is_an_error(tmp_path):
    data = {"exercises": [entry(progression="glute_bridge"), other(progression="bird_dog")]}
    with pytest.raises(KnowledgeBaseError, match=r"entry 'bird_dog': progression loops back"):
        load_knowledge_base(write(tmp_path, data))


def test_non_training_entries_may_list_no_muscles(tmp_path):
    rest = other(category="relief_position", activity="stretching", muscles=[])
    kb = load_knowledge_base(write(tmp_path, {"exercises": [entry(), rest]}))
    assert kb.get("glute_bridge").muscles == ()


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
    ({"take_care": ["fine", ""]}, "'take_care' item 2 must be a non-empty string"),
    ({"take_care": []}, "'take_care' needs at least one item"),
    ({"cautions": ["bad_knees"]}, "unknown caution 'bad_knees'"),
    ({"cautions": "osteoporosis"}, "'cautions' must be a list"),
    ({"frequency": ""}, "'frequency' must be a non-empty string"),
    ({"end_range": "yes"}, "'end_range' must be true or false"),
    ({"nerve_tension": None}, "'nerve_tension' must be true or false"),
    ({"progression": 3}, "'progression' must be an exercise id or null"),
    ({"progression": "glute_brige"}, "progression 'glute_brige' is not a known id"),
    ({"regression": "nope"}, "regression 'nope' is not a known id"),
    ({"progression": "bird_dog"}, "progression links to itself"),
    ({"regression": "bird_dog"}, "regression links to itself"),
    ({"direction": "both"}, "unknown direction 'both'"),
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
    del bad["dose"], bad["steps"], bad["frequency"]
    with pytest.raises(KnowledgeBaseError, match=r"entry 'bird_dog': missing key 'frequency', 'dose', 'steps'"):
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
