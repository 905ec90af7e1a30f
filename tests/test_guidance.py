"""Medication and lifestyle answers follow the guidance and never give a dose."""
import re

import pytest

from bot import guidance
from bot.guidance import DISCLAIMER, LIFESTYLE_TIPS, lifestyle_answer, medication_answer

# Anything that looks like an amount, a schedule or a count of pills.
DOSE_LIKE = re.compile(
    r"\d|\bmg\b|milligram|microgram|\bml\b|\bdos(e|es|age|ing)\b|tablet|\bpills?\b|capsule|"
    r"\btwice\b|\bthrice\b|times a day|per day|a day\b|every .{0,12}hours|maximum|"
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b",
    re.IGNORECASE,
)

MEDICATION_QUESTIONS = {
    "anti_inflammatory": [
        "how much ibuprofen can I take?", "is naproxen ok", "should I take NSAIDs",
        "diclofenac gel?", "can I take aspirin for my back", "are anti-inflammatories good",
    ],
    "paracetamol": [
        "how many paracetamol a day?", "acetaminophen dose", "is tylenol ok for back pain",
    ],
    "opioid": [
        "can I take codeine", "my doctor gave me tramadol", "is oxycodone safe",
        "morphine for back pain?", "are narcotics ok", "opioids?",
    ],
    "muscle_relaxant": [
        "should I take diazepam", "cyclobenzaprine 10mg twice a day?", "methocarbamol",
        "do muscle relaxants help",
    ],
    "general": ["what painkillers should I take?", "any medication tips", "", "😀"],
}
ALL_MEDICATION_QUESTIONS = [(t, q) for t, qs in MEDICATION_QUESTIONS.items() for q in qs]

TOPIC_MARKERS = {
    "anti_inflammatory": "no evidence they make the back heal",
    "paracetamol": "paracetamol",
    "opioid": "codeine, tramadol",
    "muscle_relaxant": "muscle relaxants such as",
    "general": "ease symptoms rather than heal",
}


def test_disclaimer():
    text = DISCLAIMER.lower()
    assert "not medical advice" in text
    assert "doctor" in text or "clinician" in text
    assert "emergency" in text
    assert 1 <= DISCLAIMER.count(".") <= 2


@pytest.mark.parametrize("topic,question", ALL_MEDICATION_QUESTIONS)
def test_medication_answer_never_gives_a_dose(topic, question):
    answer = medication_answer(question)
    assert not DOSE_LIKE.search(answer), DOSE_LIKE.search(answer)
    lower = answer.lower()
    assert "pharmacist" in lower and "doctor" in lower and "label" in lower
    assert "heat" in lower and "cold" in lower and "liniment" in lower and "massage" in lower
    assert "gradual" in lower and "exercise" in lower


@pytest.mark.parametrize("topic,question", ALL_MEDICATION_QUESTIONS)
def test_medication_topic_detection(topic, question):
    answer = medication_answer(question)
    assert guidance._MEDICATION_TEXT[topic] in answer
    for other, marker in TOPIC_MARKERS.items():
        assert (marker in answer.lower()) == (other == topic), (other, answer)


def test_every_medication_text_is_dose_free():
    for text in list(guidance._MEDICATION_TEXT.values()) + [
            guidance._MEDICATION_AMOUNTS, guidance._MEDICATION_ALTERNATIVES, guidance._MEDICATION_URGENT]:
        assert not DOSE_LIKE.search(text), text


def test_key_medication_facts():
    nsaid = medication_answer("ibuprofen").lower()
    assert "no evidence" in nsaid and "faster" in nsaid
    for question in ("tramadol", "diazepam"):
        answer = medication_answer(question).lower()
        assert "as little as possible" in answer
        assert "mood" in answer and "dependence" in answer


def test_several_medicines_in_one_question():
    answer = medication_answer("can I mix ibuprofen with co-codamol?").lower()
    assert "no evidence" in answer  # anti-inflammatory
    assert "narcotic" in answer  # codeine in co-codamol
    assert "paracetamol" in answer
    assert not DOSE_LIKE.search(answer)


def test_possible_overdose_gets_urgent_help_first():
    answer = medication_answer("I think I took too many tramadol")
    assert answer.lower().startswith("if you may have taken more")
    assert "emergency" in answer.lower()
    assert not DOSE_LIKE.search(answer)
    assert "emergency" not in medication_answer("is tramadol ok").lower()


def test_medication_answer_handles_odd_input():
    for text in (None, 42, "x" * 100_000, "🙂" * 10_000):
        answer = medication_answer(text)  # type: ignore[arg-type]
        assert answer and not DOSE_LIKE.search(answer)


LIFESTYLE_QUESTIONS = [
    ("how can I sleep better?", "sleep", ["tired", "caffeine", "nicotine"]),
    ("I can't sleep because of the pain", "sleep", ["tired"]),
    ("what should I eat?", "diet", ["protein", "fruit", "vegetables"]),
    ("does diet matter", "diet", ["balanced"]),
    ("is protein important", "diet", ["protein"]),
    ("does smoking affect my back", "smoking", ["oxygen", "stopping"]),
    ("I vape, is that bad?", "smoking", ["oxygen"]),
    ("should I lose weight", "weight", ["weight", "slow"]),
    ("heat or ice?", "heat_cold", ["heat", "cold", "safe"]),
    ("is a hot water bottle ok", "heat_cold", ["heat"]),
    ("what's the best mattress?", "mattress", ["no single best", "comfortabl", "stiff"]),
    ("what mattress is best?", "mattress", ["no single best"]),
    ("is a firm bed better for my back?", "mattress", ["no single best"]),
    ("should I stay in bed?", "bed_rest", ["isn't recommended", "short", "walk"]),
    ("is bed rest good for my back?", "bed_rest", ["isn't recommended", "move gently"]),
    ("should I lie down all day?", "bed_rest", ["isn't recommended", "little and often"]),
    ("should I rest my back or keep moving?", "bed_rest", ["short rest"]),
    ("I've been lying in bed since Monday", "bed_rest", ["stiffen"]),
    ("do I need a new bed", "mattress", ["no single best"]),
    ("does massage help", "massage", ["safe", "exercise"]),
    ("can I use a liniment", "massage", ["liniment"]),
    ("is coffee bad for me", "caffeine", ["stimulant", "bedtime"]),
    ("caffeine?", "caffeine", ["earlier in the day"]),
    ("any lifestyle tips?", "general", ["protein", "smoking", "sleep"]),
    ("", "general", ["protein"]),
]


@pytest.mark.parametrize("question,topic,words", LIFESTYLE_QUESTIONS)
def test_lifestyle_answer_topics(question, topic, words):
    answer = lifestyle_answer(question)
    assert answer.startswith(guidance._LIFESTYLE_TEXT[topic])
    for word in words:
        assert word in answer.lower(), (word, answer)


def test_lifestyle_answers_stay_dose_free_and_do_not_overclaim():
    for text in guidance._LIFESTYLE_TEXT.values():
        assert not re.search(r"\d|\bmg\b|\bdos(e|age)\b", text, re.IGNORECASE), text
    mattress = guidance._LIFESTYLE_TEXT["mattress"].lower()
    assert "no single best" in mattress and "firm mattress is best" not in mattress


@pytest.mark.parametrize("question", [
    "should I stay in bed?", "is bed rest good for my back?", "should I lie down all day?",
    "should I stay in bed and sleep it off?",
])
def test_bed_rest_is_not_answered_with_mattress_or_sleep_advice(question):
    answer = lifestyle_answer(question)
    assert answer == guidance._LIFESTYLE_TEXT["bed_rest"]
    assert "mattress" not in answer.lower()


def test_bed_rest_with_a_mattress_question_answers_both_rest_first():
    answer = lifestyle_answer("I've stayed in bed all week, do I need a new mattress?")
    assert answer == " ".join([guidance._LIFESTYLE_TEXT["bed_rest"], guidance._LIFESTYLE_TEXT["mattress"]])


def test_several_lifestyle_topics_in_order_of_mention():
    answer = lifestyle_answer("I smoke and drink a lot of coffee, and my diet is poor")
    parts = [guidance._LIFESTYLE_TEXT[t] for t in ("smoking", "caffeine", "diet")]
    assert answer == " ".join(parts)


def test_lifestyle_answer_handles_odd_input():
    for text in (None, 3, "x" * 100_000, "🙂"):
        assert lifestyle_answer(text)  # type: ignore[arg-type]


def test_lifestyle_tips():
    assert isinstance(LIFESTYLE_TIPS, tuple) and len(LIFESTYLE_TIPS) >= 8
    assert len(set(LIFESTYLE_TIPS)) == len(LIFESTYLE_TIPS)
    for tip in LIFESTYLE_TIPS:
        assert "\n" not in tip and 20 <= len(tip) <= 120, tip
        assert not DOSE_LIKE.search(tip), tip
