"""The Rasa graph component: entity replacement and the red-flag intent override.

Messages are built as DIET would leave them (an intent, a ranking, its own
entities), then passed through the component exactly as the trained pipeline does.
"""
from __future__ import annotations

from typing import List, Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import ClinicalSafetyExtractor


def _message(text: str, ranking: List[tuple], entities: Optional[list] = None) -> Message:
    ranking_dicts = [{"name": n, "confidence": c} for n, c in ranking]
    message = Message(data={"text": text})
    message.set("intent", dict(ranking_dicts[0]), add_to_output=True)
    message.set("intent_ranking", ranking_dicts, add_to_output=True)
    message.set("entities", entities or [], add_to_output=True)
    return message


@pytest.fixture(scope="module")
def component():
    return ClinicalSafetyExtractor.create({}, None, None, None)


def _run(component, message: Message) -> dict:
    component.process([message])
    return message.as_dict(only_output_properties=True)


def test_an_affirmed_red_flag_overrides_whatever_the_classifier_said(component):
    out = _run(component, _message("my calf, and my left foot keeps flopping down and catching",
                                   [("report_symptoms", 0.93), ("report_red_flag", 0.05)]))
    assert out["intent"] == {"name": "report_red_flag", "confidence": 1.0}
    assert out["intent_ranking"][0]["name"] == "report_red_flag"
    assert [r["name"] for r in out["intent_ranking"]].count("report_red_flag") == 1
    assert out["clinical"]["overridden_intent"] == "report_symptoms"
    assert out["clinical"]["red_flags"][0]["reason"] == "leg_weakness"
    assert "text" not in out["clinical"]


def test_even_a_fallback_is_overridden(component):
    out = _run(component, _message("cant feel it when i wipe", [("nlu_fallback", 0.4), ("greet", 0.2)]))
    assert out["intent"]["name"] == "report_red_flag"


def test_a_denied_red_flag_goes_to_the_next_intent(component):
    out = _run(component, _message("no numbness, bladder fine",
                                   [("report_red_flag", 0.7), ("report_symptoms", 0.25)]))
    assert out["intent"]["name"] == "report_symptoms"
    assert out["clinical"]["red_flags"][0]["status"] == "negated"


def test_a_question_about_red_flags_goes_to_the_warning_signs_answer(component):
    out = _run(component, _message("what should I do if my legs go numb?",
                                   [("report_red_flag", 0.8), ("ask_plan", 0.1)]))
    assert out["intent"]["name"] == "ask_warning_signs"


def test_a_classifier_red_flag_with_no_rule_to_contradict_it_stands(component):
    out = _run(component, _message("something is very wrong down below",
                                   [("report_red_flag", 0.97), ("report_symptoms", 0.02)]))
    assert out["intent"]["name"] == "report_red_flag"
    assert "overridden_intent" not in out["clinical"]


def test_an_unsure_classifier_red_flag_with_no_rule_behind_it_is_dropped(component):
    out = _run(component, _message("the heat pack really helps, bit of a lifesaver",
                                   [("report_red_flag", 0.77), ("ask_lifestyle", 0.2)]))
    assert out["intent"]["name"] == "ask_lifestyle"


def test_a_sure_classifier_red_flag_in_a_message_not_about_health_is_dropped(component):
    out = _run(component, _message("autumn leaves are falling, lovely walk in the park this morning",
                                   [("report_red_flag", 0.999), ("report_activity", 0.6)]))
    assert out["intent"]["name"] == "report_activity"
    assert out["clinical"]["overridden_intent"] == "report_red_flag"


def test_a_replaced_red_flag_with_no_good_second_guess_falls_back(component):
    """Never run a near-zero guess (stop_reminders) on a message the classifier read as a flag."""
    out = _run(component, _message("no numbness, bladder fine",
                                   [("report_red_flag", 0.99), ("stop_reminders", 0.004)]))
    assert out["intent"]["name"] == "nlu_fallback"


def test_despair_worded_with_a_negation_keeps_the_red_flag(component):
    out = _run(component, _message("I don't see the point in going on anymore",
                                   [("report_red_flag", 0.99), ("stop_reminders", 0.004)]))
    assert out["intent"]["name"] == "report_red_flag"
    assert out["clinical"]["red_flags"][0]["reason"] == "self_harm"


def test_clinical_entities_are_replaced_and_others_kept(component):
    tagged = [{"entity": "body_part", "value": "leg", "start": 40, "end": 43, "extractor": "DIETClassifier"},
              {"entity": "exercise", "value": "bird_dog", "start": 0, "end": 3, "extractor": "DIETClassifier"},
              {"entity": "nudge_kind", "value": "walk", "start": 0, "end": 3, "extractor": "RegexEntityExtractor"}]
    out = _run(component, _message("the sciatica is only in my butt now, not my leg",
                                   [("report_symptoms", 0.9)], tagged))
    got = {(e["entity"], e["value"], e["extractor"]) for e in out["entities"]}
    # the reader decides clinical and task entities (an exercise the text never names is
    # dropped); an entity it does not read is kept
    assert got == {("body_part", "buttock", "ClinicalSafetyExtractor"),
                   ("nudge_kind", "walk", "RegexEntityExtractor")}


@pytest.mark.parametrize("text, expected", [
    ("how do I do a bird dog?", {("exercise", "bird_dog")}),
    ("walked 25 minutes", {("activity", "walking"), ("duration", "25")}),
    ("knee to chest stretch hurts", {("exercise", "knee_to_chest"), ("activity", "stretching")}),
    ("could I try the cat cow?", {("exercise", "cat_cow")}),
    ("I didn't walk today", set()),
    ("my husband went swimming", set()),
])
def test_the_reader_names_what_they_did_or_ask_about(component, text, expected):
    out = _run(component, _message(text, [("report_activity", 0.9)]))
    got = {(e["entity"], str(e["value"])) for e in out["entities"]
           if e["entity"] in ("exercise", "activity", "duration")}
    assert got == expected
    spans = {(e["start"], e["end"]) for e in out["entities"]}
    assert all(text[s:e].strip() for s, e in spans)


def test_button_payloads_are_left_to_rasa(component):
    message = _message('/inform{"pain_score": "4"}', [("inform", 1.0)])
    component.process([message])
    assert message.get("clinical") is None


# ---- one decision: bot/triage.py ----------------------------------------------

@pytest.mark.parametrize("text, diet", [
    ("feeling down about the pain but managing", "report_red_flag"),
    ("a bit low today", "report_symptoms"),
    ("fed up with this back", "express_fear"),
    ("I'm not suicidal, just fed up", "report_red_flag"),
])
def test_low_mood_gets_the_low_mood_intent_not_a_red_flag(component, text, diet):
    out = _run(component, _message(text, [(diet, 0.99), ("greet", 0.005)]))
    assert out["intent"]["name"] == "express_low_mood"
    assert out["clinical"]["triage"] == {"tier": 0, "reasons": ["low_mood"]}
    assert out["clinical"]["classifier"] == {"name": diet, "confidence": 0.99}


@pytest.mark.parametrize("text, diet", [
    ("a bit low, back is a 5", "report_symptoms"),  # a check-in
    ("fed up, what's my plan today?", "ask_plan"),  # a task of its own
])
def test_low_mood_beside_a_check_in_or_a_task_keeps_it(component, text, diet):
    out = _run(component, _message(text, [(diet, 0.95), ("greet", 0.01)]))
    assert out["intent"]["name"] == diet


@pytest.mark.parametrize("text", ["I wish I was dead", "I don't see the point in going on"])
def test_despair_still_gets_the_red_flag_whatever_the_classifier_said(component, text):
    out = _run(component, _message(text, [("express_low_mood", 0.9), ("report_red_flag", 0.05)]))
    assert out["intent"]["name"] == "report_red_flag"
    assert out["clinical"]["triage"] == {"tier": 1, "reasons": ["self_harm"]}


def test_night_pain_that_wakes_them_is_a_red_flag_even_if_diet_says_sleep(component):
    out = _run(component, _message("my back woke me at 3am", [("report_sleep", 0.97), ("greet", 0.01)]))
    assert out["intent"]["name"] == "report_red_flag"
    assert out["clinical"]["triage"] == {"tier": 2, "reasons": ["night_pain"]}
    out = _run(component, _message("woke up at 3am needing the loo", [("report_sleep", 0.97)]))
    assert out["intent"]["name"] == "report_sleep"


def test_a_replaced_red_flag_with_no_other_guess_never_stays_a_red_flag(component):
    out = _run(component, _message("no numbness, bladder fine", [("report_red_flag", 0.99)]))
    assert out["intent"]["name"] == "nlu_fallback"


def test_the_action_repeats_the_components_decision(component):
    """bot.triage.triage_parse on the component's output gives the tier the component chose."""
    from bot.triage import triage_parse

    cases = [("my back woke me at 3am", "report_sleep", 0.97),
             ("something is very wrong down below", "report_red_flag", 0.97),
             ("the heat pack really helps, bit of a lifesaver", "report_red_flag", 0.77),
             ("I want to end it all", "greet", 0.6),
             ("a bit low today", "report_red_flag", 0.99)]
    for text, diet, confidence in cases:
        out = _run(component, _message(text, [(diet, confidence), ("ask_lifestyle", 0.2)]))
        out["text"] = text
        decision = triage_parse(out)
        assert decision.tier == out["clinical"]["triage"]["tier"], text
        assert decision.red_flag == (out["intent"]["name"] == "report_red_flag"), text
