"""The fear reply answers the fear named, with a first small step from today's plan."""
from dataclasses import dataclass
from typing import Tuple

import pytest

from bot.coaching import FEARS, fear_first_step, fear_named, fear_reassurance


@dataclass(frozen=True)
class Ex:
    """The fields of a knowledge-base exercise the fear reply reads."""

    id: str
    name: str
    category: str
    direction: str
    phases: Tuple[str, ...] = ("acute", "subacute", "chronic")
    muscles: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Planned:
    exercise: Ex


@dataclass(frozen=True)
class FakePlan:
    exercises: Tuple[Planned, ...]
    aerobic_kind: str = "walking"
    aerobic_minutes: int = 15


HAMSTRING = Ex("hamstring_stretch_supine", "Lying hamstring stretch", "stretching", "neutral",
               muscles=("hamstrings",))
KNEE_TO_CHEST = Ex("knee_to_chest", "Single knee to chest", "stretching", "flexion",
                   muscles=("extensors", "gluteals"))
TRUNK_ROTATION = Ex("lower_trunk_rotation", "Lower trunk rotation", "stretching", "rotation",
                    muscles=("obliques", "extensors"))
BRACING = Ex("abdominal_bracing", "Abdominal bracing", "stabilization", "neutral",
             muscles=("flexors", "obliques"))
WALL_SQUAT = Ex("wall_squat", "Wall squat", "strengthening", "neutral", ("subacute", "chronic"),
                ("quadriceps", "gluteals"))
PRESS_UP = Ex("prone_press_up", "Prone press-up", "mckenzie_extension", "extension")
BIRD_DOG = Ex("bird_dog", "Bird dog", "stabilization", "neutral", ("subacute", "chronic"),
              ("extensors", "gluteals", "obliques"))


def plan(*exercises, **kw):
    return FakePlan(tuple(Planned(e) for e in exercises), **kw)


@pytest.mark.parametrize("text,fear", [
    ("I'm scared to bend", "bending"),
    ("I'm scared to bend in case I hurt my back again", "bending"),  # the movement wins
    ("afraid of bending over to tie my shoes", "bending"),
    ("I'm terrified of lifting my kids", "lifting"),
    ("scared to pick up the shopping", "lifting"),
    ("worried about twisting", "twisting"),
    ("I'm afraid to sit at my desk all day", "sitting"),
    ("nervous about going for a walk", "walking"),
    ("I'm scared to exercise", "exercise"),
    ("frightened that moving will hurt", "exercise"),
    ("I'm afraid of making it worse", "reinjury"),
    ("scared of damaging my spine", "reinjury"),
    ("what if I re-injure it", "reinjury"),
    ("I'm scared", None),
    ("", None),
    ("ambient lighting", None),  # "bent" is not inside "ambient"; whole words only
])
def test_the_fear_is_read_from_the_words(text, fear):
    assert fear_named(text) == fear


def test_every_fear_has_an_answer_and_a_step():
    for fear in FEARS:
        assert fear_first_step(fear).startswith("Start small: ")


def test_bending_fear_answers_bending_with_the_gentlest_flexion_exercise_in_the_plan():
    reply = fear_reassurance("I'm scared to bend", plan(HAMSTRING, KNEE_TO_CHEST, BRACING))
    assert "Bending forward is a normal, safe movement" in reply
    assert "try the single knee to chest from today's plan" in reply
    for fragment in ("muscles", "gradual", "hurt does not always mean harm", "start small", "rest"):
        assert fragment in reply.lower()
    assert "lifting" not in reply.lower()


def test_bending_without_a_flexion_exercise_falls_back_to_a_neutral_one():
    reply = fear_reassurance("scared to bend", plan(PRESS_UP, TRUNK_ROTATION, BRACING))
    assert "try the abdominal bracing from today's plan" in reply
    assert "press-up" not in reply.lower() and "rotation" not in reply


def test_bending_fear_with_no_plan_gets_pelvic_tilts():
    reply = fear_reassurance("I'm scared to bend")
    assert "pelvic tilts" in reply
    assert "today's plan" not in reply


def test_lifting_fear_prefers_a_squat_then_a_stabilizing_exercise():
    reply = fear_reassurance("afraid of lifting", plan(HAMSTRING, BRACING, WALL_SQUAT))
    assert "lift" in reply.lower() and "close to your body" in reply
    assert "try the wall squat from today's plan" in reply
    acute = fear_reassurance("afraid of lifting", plan(HAMSTRING, BRACING))
    assert "try the abdominal bracing from today's plan" in acute


def test_a_movement_fear_with_nothing_fitting_in_the_plan_gets_its_own_default():
    reply = fear_reassurance("afraid of lifting", plan(HAMSTRING, KNEE_TO_CHEST))
    assert "today's plan" not in reply and "cushion" in reply
    twist = fear_reassurance("scared to twist", plan(HAMSTRING, KNEE_TO_CHEST))
    assert "today's plan" not in twist and "knees sway" in twist


def test_twisting_fear_picks_the_oblique_exercise():
    reply = fear_reassurance("I'm scared of twisting", plan(KNEE_TO_CHEST, TRUNK_ROTATION, BIRD_DOG))
    assert "Turning is an everyday movement" in reply
    assert "try the lower trunk rotation from today's plan" in reply


def test_sitting_fear_answers_sitting():
    reply = fear_reassurance("I'm scared sitting will damage it", plan(HAMSTRING, BRACING))
    assert "Sitting won't damage your back" in reply
    assert "abdominal bracing" in reply


def test_walking_fear_builds_toward_the_plans_walk():
    reply = fear_reassurance("scared to walk", plan(HAMSTRING, aerobic_minutes=15))
    assert "Walking is one of the safest" in reply
    assert "the 15-minute walk in today's plan" in reply
    bike = fear_reassurance("scared to walk", plan(HAMSTRING, aerobic_kind="cycling"))
    assert "today's plan" not in bike and "a few minutes on level ground" in bike


def test_reinjury_fear_answers_damage_and_watches_for_spreading():
    reply = fear_reassurance("I'm afraid of damaging my spine", plan(PRESS_UP, HAMSTRING, BRACING))
    assert "doesn't damage the spine" in reply
    assert "spreading down your leg" in reply
    assert "hamstring" in reply.lower()  # the gentlest acute stretch, not the press-up


def test_general_fear_keeps_the_graded_activity_message():
    reply = fear_reassurance("I'm scared")
    for fragment in ("muscles", "gradual", "hurt does not always mean harm", "start small"):
        assert fragment in reply.lower()
    assert "pelvic tilts" in reply


@pytest.mark.parametrize("text", ["I'm scared to bend", "afraid of lifting", "scared to walk",
                                  "I'm afraid of making it worse", ""])
def test_fear_replies_never_dose_or_diagnose(text):
    reply = fear_reassurance(text, plan(HAMSTRING, KNEE_TO_CHEST)).lower()
    for word in ("mg", "dose", "ibuprofen", "medication", "diagnos"):
        assert word not in reply
