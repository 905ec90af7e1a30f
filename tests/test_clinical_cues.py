"""The clinical reader's cues: what the person was doing, conditions, pain spreading or retreating.

They travel in the parse result's `clinical` key (not as Rasa entities), each with the
same negation scoping as every other finding.
"""
import pytest

from bot.nlu.clinical import analyse


def _cues(text):
    return {(c["entity"], c["value"], c["status"]) for c in analyse(text).as_dict()["cues"]}


@pytest.mark.parametrize("text,expected", [
    ("I had been sitting at my desk all day", ("movement", "sitting")),
    ("bending over in the garden", ("movement", "bending")),
    ("lifting the shopping bags out of the car", ("movement", "lifting")),
    ("I have osteoporosis", ("condition", "osteoporosis")),
    ("I'm 20 weeks pregnant", ("condition", "pregnancy")),
    ("my leg hurts more", ("spread", "further")),
    ("now the pain is spreading down into my calf", ("spread", "further")),
    ("the sciatica is worse", ("spread", "further")),
    ("today it's only in my buttock and lower back", ("spread", "retreat")),
    ("the leg pain has gone, it's just my back now", ("spread", "retreat")),
])
def test_affirmed_cues(text, expected):
    assert expected + ("affirmed",) in _cues(text)


@pytest.mark.parametrize("text,denied", [
    ("it's not spreading", ("spread", "further")),
    ("not from sitting, it was the lifting", ("movement", "sitting")),
])
def test_denied_cues_are_not_affirmed(text, denied):
    cues = _cues(text)
    assert denied + ("affirmed",) not in cues
    assert any(c[:2] == denied for c in cues)


def test_cues_carry_no_text():
    cue = analyse("I was sitting all day")
    assert set(cue.as_dict()["cues"][0]) == {"entity", "value", "start", "end", "status"}


def test_a_plain_score_has_no_cues():
    assert _cues("my back is a 3 today") == set()


def test_a_past_operation_is_read_as_history_not_denied():
    # The consumer (bot.usecases.checkin) keeps conditions that are affirmed or in the past.
    assert ("condition", "hip_replacement", "resolved") in _cues("I had a hip replacement last year")
    assert ("condition", "hip_replacement", "negated") in _cues("I've never had a hip replacement")


@pytest.mark.parametrize("text,expected", [
    ("been sittin at my desk all day", ("movement", "sitting")),
    ("hurts more lyin down", ("movement", "lying")),
    ("liftin the shopping out the car", ("movement", "lifting")),
])
def test_texting_forms_of_ing_words_give_their_cue(text, expected):
    assert expected + ("affirmed",) in _cues(text)
