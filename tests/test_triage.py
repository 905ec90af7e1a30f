"""The one red-flag decision (bot/triage.py), on analyses made by the real clinical reader."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bot.nlu.clinical import analyse
from bot.nlu.red_flags import CONCEPTS, RULES, SHARED_ON_PURPOSE
from bot.settings import PROJECT_ROOT
from bot.triage import (
    CLASSIFIER_ONLY_MIN_CONFIDENCE, EMERGENCY, LOW_MOOD, NONE, RED_FLAG_INTENT, UNSPECIFIED, URGENT,
    _EMERGENCY_ADVICE, _LOW_MOOD_ADVICE, _PAUSE_NOTE, _SELF_HARM_ADVICE, _URGENT_ADVICE, triage,
    triage_parse,
)

CRISIS = "Samaritans 116 123"


def _decide(text, intent=None, confidence=0.0):
    return triage(analyse(text), intent, confidence)


# ---------------------------------------------------------------- the vocabulary

def test_each_phrase_belongs_to_one_concept_unless_shared_on_purpose():
    owners = defaultdict(set)
    for concept, phrases in CONCEPTS.items():
        for phrase in phrases:
            owners[phrase].add(concept)
    shared = {phrase: frozenset(concepts) for phrase, concepts in owners.items() if len(concepts) > 1}
    assert shared == dict(SHARED_ON_PURPOSE)


def test_no_concept_that_completes_a_flag_alone_shares_a_phrase():
    alone = {needs[0] for rule in RULES for needs in (rule.needs,) + rule.alternatives if len(needs) == 1}
    alone.add("low_mood")
    assert not {p: c for p, c in SHARED_ON_PURPOSE.items() if c & alone}


def test_no_phrase_is_listed_twice_in_one_concept():
    assert {c: len(p) - len(set(p)) for c, p in CONCEPTS.items() if len(p) != len(set(p))} == {}


# ---------------------------------------------------------------- tiers from the message

@pytest.mark.parametrize("text, tier, reason", [
    ("I can't control my bladder", EMERGENCY, "bladder_bowel"),
    ("I've got chest pains", EMERGENCY, "chest_pain"),
    ("I wish I was dead", EMERGENCY, "self_harm"),
    ("I don't see the point in going on", EMERGENCY, "self_harm"),
    ("honestly I'm tired of living like this", EMERGENCY, "self_harm"),
    ("feeling low and I just want to be dead", EMERGENCY, "self_harm"),
    ("fever and chills with my back pain", URGENT, "fever"),
    ("the pain wakes me up at night", URGENT, "night_pain"),
    ("my back woke me at 3am", URGENT, "night_pain"),
    ("can't sleep for the pain, it wakes me", URGENT, "night_pain"),
])
def test_a_red_flag_in_the_message_decides_the_tier(text, tier, reason):
    decision = _decide(text)
    assert (decision.tier, decision.reasons[0]) == (tier, reason)
    assert decision.red_flag and not decision.low_mood


def test_chest_pains_are_not_also_a_major_trauma():
    assert _decide("chest pains since this morning").reasons == ("chest_pain",)


@pytest.mark.parametrize("text", [
    "feeling down about the pain but managing", "a bit low today", "fed up with this back",
    "I'm not suicidal, just fed up",
])
def test_low_mood_gets_empathy_not_the_crisis_line(text):
    decision = _decide(text)
    assert (decision.tier, decision.reasons) == (NONE, (LOW_MOOD,))
    assert decision.low_mood and decision.advice == _LOW_MOOD_ADVICE
    assert CRISIS not in decision.advice and "emergency" not in decision.advice
    assert "doctor or physiotherapist" in decision.advice  # if it persists


@pytest.mark.parametrize("text", ["I woke up stiff", "woke up at 3am needing the loo", "walked 25 minutes"])
def test_an_ordinary_message_is_tier_0_with_nothing_to_say(text):
    assert _decide(text).tier == NONE and _decide(text).advice == "" and _decide(text).reasons == ()


def test_a_denied_flag_is_no_flag_even_when_the_classifier_is_sure():
    assert _decide("no numbness, bladder fine", RED_FLAG_INTENT, 0.999).tier == NONE


# ---------------------------------------------------------------- the classifier's own red flag

def test_a_sure_classifier_flag_about_health_stands_as_an_unnamed_emergency():
    decision = _decide("something is very wrong down below", RED_FLAG_INTENT, 0.97)
    assert (decision.tier, decision.reasons) == (EMERGENCY, (UNSPECIFIED,))
    assert decision.advice.startswith(_EMERGENCY_ADVICE)


@pytest.mark.parametrize("text, confidence", [
    ("something is very wrong down below", CLASSIFIER_ONLY_MIN_CONFIDENCE - 0.01),  # unsure
    ("autumn leaves are falling, lovely walk in the park", 0.999),  # not about health
    ("feeling a bit low today", 0.999),  # low mood, no despair words
])
def test_a_classifier_flag_that_does_not_stand(text, confidence):
    assert _decide(text, RED_FLAG_INTENT, confidence).tier == NONE


def test_low_mood_with_words_of_despair_keeps_the_classifiers_flag():
    decision = _decide("feeling really low, I just want to give up on everything", RED_FLAG_INTENT, 0.95)
    assert decision.tier == EMERGENCY


# ---------------------------------------------------------------- advice, once

def test_self_harm_with_a_physical_emergency_gets_both():
    decision = _decide("I want to end it all and I can't control my bladder")
    assert "self_harm" in decision.reasons
    assert CRISIS in decision.advice and _EMERGENCY_ADVICE in decision.advice
    assert dict((r, t) for t, r in decision.flags()) == {"self_harm": 1, "bladder_bowel": 1}


def test_each_tier_has_its_own_advice():
    assert _decide("fever and chills with my back pain").advice == f"{_URGENT_ADVICE}\n\n{_PAUSE_NOTE}"
    assert _decide("crushing pain in my chest").advice == f"{_EMERGENCY_ADVICE}\n\n{_PAUSE_NOTE}"
    assert _decide("I want to kill myself").advice == _SELF_HARM_ADVICE


def test_each_advice_text_exists_once_in_the_code():
    sources = [p for d in ("bot", "actions", "scripts") for p in (PROJECT_ROOT / d).rglob("*.py")]
    sources += [PROJECT_ROOT / "domain.yml"]
    for text in (_EMERGENCY_ADVICE, _SELF_HARM_ADVICE, _URGENT_ADVICE, _LOW_MOOD_ADVICE):
        probe = text[:60]
        holders = [p.relative_to(PROJECT_ROOT) for p in sources if probe in Path(p).read_text(encoding="utf-8")]
        assert holders == [Path("bot/triage.py")], (probe, holders)


# ---------------------------------------------------------------- the parse the action and make eval see

def test_a_parse_is_decided_from_the_classifiers_own_guess():
    parse = {"text": "something is very wrong down below",
             "intent": {"name": RED_FLAG_INTENT, "confidence": 0.97},
             "clinical": {"classifier": {"name": RED_FLAG_INTENT, "confidence": 0.97}}}
    assert triage_parse(parse).tier == EMERGENCY
    replaced = {"text": "feeling a bit low today", "intent": {"name": "express_low_mood", "confidence": 1.0},
                "clinical": {"classifier": {"name": RED_FLAG_INTENT, "confidence": 0.99}}}
    assert triage_parse(replaced).low_mood


def test_a_red_flag_intent_is_never_sent_away_with_nothing():
    assert triage_parse({"text": "/report_red_flag", "intent": {"name": RED_FLAG_INTENT, "confidence": 1.0}}).tier \
        == EMERGENCY
    assert triage_parse({"text": "help", "intent": {"name": RED_FLAG_INTENT, "confidence": 0.3}}).reasons \
        == (UNSPECIFIED,)


def _recorded(text, final, tier, reasons, classifier=None):
    clinical = {"triage": {"tier": tier, "reasons": reasons}}
    if classifier:
        clinical["classifier"] = {"name": classifier, "confidence": 0.99}
    return {"text": text, "intent": {"name": final, "confidence": 1.0}, "clinical": clinical}


def test_a_parse_is_decided_by_the_decision_the_component_recorded_not_by_its_text():
    # What the component decided stands, with triage()'s words for it; the text is not read again.
    recorded = triage_parse(_recorded("nothing in these words", RED_FLAG_INTENT, EMERGENCY, ["chest_pain"]))
    assert recorded == _decide("I've got crushing chest pain")
    fever = triage_parse(_recorded("whatever", RED_FLAG_INTENT, URGENT, ["fever"]))
    assert (fever.tier, fever.reasons, fever.advice) == (URGENT, ("fever",), _URGENT_ADVICE + "\n\n" + _PAUSE_NOTE)
    both = triage_parse(_recorded("x", RED_FLAG_INTENT, EMERGENCY, ["self_harm", "bladder_bowel"]))
    assert both == _decide("I want to end it all and I've wet myself")
    assert triage_parse(_recorded("I've wet myself", "greet", NONE, [])).tier == NONE
    mood = triage_parse(_recorded("x", "express_low_mood", NONE, [LOW_MOOD], classifier=RED_FLAG_INTENT))
    assert mood.low_mood and mood.advice == _LOW_MOOD_ADVICE
    unnamed = triage_parse(_recorded("x", RED_FLAG_INTENT, EMERGENCY, [UNSPECIFIED]))
    assert (unnamed.tier, unnamed.reasons) == (EMERGENCY, (UNSPECIFIED,))


def test_a_recorded_decision_still_never_sends_a_red_flag_intent_away_with_nothing():
    decision = triage_parse(_recorded("help", RED_FLAG_INTENT, NONE, []))
    assert (decision.tier, decision.reasons) == (EMERGENCY, (UNSPECIFIED,))
    assert triage_parse(_recorded("help", RED_FLAG_INTENT, EMERGENCY, [])).reasons == (UNSPECIFIED,)


@pytest.mark.parametrize("recorded", [
    {"tier": 7, "reasons": ["night_pain"]}, {"tier": "2", "reasons": ["night_pain"]},
    {"tier": True, "reasons": []}, {"tier": 2, "reasons": "night_pain"}, {"tier": 2, "reasons": [3]},
    {"tier": NONE, "reasons": ["night_pain"]}, {"reasons": []}, "2", None,
])
def test_a_decision_that_is_not_one_triage_makes_is_read_again_from_the_text(recorded):
    parse = {"text": "the pain wakes me up every night", "intent": {"name": "report_sleep"},
             "clinical": {"triage": recorded}}
    decision = triage_parse(parse)
    assert (decision.tier, decision.reasons) == (URGENT, ("night_pain",))


def test_a_parse_without_the_clinical_key_is_read_from_its_text():
    decision = triage_parse({"text": "the pain wakes me up every night", "intent": {"name": "report_sleep"}})
    assert (decision.tier, decision.reasons) == (URGENT, ("night_pain",))
