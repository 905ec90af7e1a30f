"""Answers about medicines and lifestyle, plus short daily tips.

Written in the project's own words from /work/shared/clinical-guidance.md (the
source article plus NICE NG59). The coach supports self-management: it never
gives an amount, a schedule or a number of pills, and sends every question about
how much to take to a pharmacist, doctor or the medicine's label. Pure text in,
text out, so the wording can be reviewed and tested without a conversation.
"""
from __future__ import annotations

import re
from typing import Dict, List, Pattern, Tuple

DISCLAIMER: str = (
    "I'm a self-management coach, not a medical service: what I say is general "
    "information, not medical advice, and it doesn't replace your doctor or "
    "physiotherapist. In an emergency, call your local emergency number."
)

# Read at most this much of a message; topic words come early and long input
# must stay cheap to scan.
_MAX_CHARS = 5000


def word_pattern(*words: str) -> Pattern[str]:
    """Whole-word, case-insensitive alternation of literal words/phrases.

    Match it against clean_text(text), where hyphens are spaces.
    """
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def clean_text(text: object) -> str:
    """The start of a message, with curly apostrophes straightened and hyphens as spaces."""
    if not isinstance(text, str):
        return ""
    return text[:_MAX_CHARS].replace("\u2019", "'").replace("-", " ")


def _topics_in_order(text: str, patterns: Dict[str, Pattern[str]]) -> List[str]:
    """Topics mentioned in the text, ordered by first mention."""
    hits: List[Tuple[int, str]] = []
    for topic, pattern in patterns.items():
        match = pattern.search(text)
        if match:
            hits.append((match.start(), topic))
    return [topic for _, topic in sorted(hits)]


# --------------------------------------------------------------------------- medication

_MEDICATION_TOPICS: Dict[str, Pattern[str]] = {
    "anti_inflammatory": word_pattern(
        "ibuprofen", "naproxen", "nsaid", "nsaids", "diclofenac", "aspirin", "anti inflammatory",
        "anti inflammatories", "antiinflammatory", "antiinflammatories", "advil", "motrin",
        "nurofen", "aleve", "voltaren", "voltarol", "celecoxib", "celebrex", "meloxicam",
        "etoricoxib", "ketoprofen",
    ),
    "paracetamol": word_pattern(
        "paracetamol", "acetaminophen", "tylenol", "panadol", "calpol", "co codamol", "cocodamol",
    ),
    "opioid": word_pattern(
        "opioid", "opioids", "opiate", "opiates", "narcotic", "narcotics", "codeine", "co codamol",
        "cocodamol", "dihydrocodeine", "tramadol", "oxycodone", "oxycontin", "morphine",
        "hydrocodone", "vicodin", "percocet", "fentanyl", "tapentadol", "buprenorphine",
        "oramorph", "zapain",
    ),
    "muscle_relaxant": word_pattern(
        "muscle relaxant", "muscle relaxants", "muscle relaxer", "muscle relaxers", "relaxant",
        "relaxants", "diazepam", "valium", "cyclobenzaprine", "flexeril", "methocarbamol",
        "robaxin", "baclofen", "tizanidine", "carisoprodol", "soma", "orphenadrine",
    ),
}

_OVERDOSE = word_pattern(
    "overdose", "overdosed", "too many", "too much", "double dose", "doubled", "took extra",
    "taken extra", "took more than", "taken more than", "whole packet", "whole bottle",
)

_MEDICATION_TEXT: Dict[str, str] = {
    "anti_inflammatory": (
        "Anti-inflammatories such as ibuprofen, naproxen, diclofenac or aspirin can take the "
        "edge off back pain, but there's no evidence they make the back heal any faster. They "
        "aren't right for everyone: stomach, kidney or heart problems, asthma, pregnancy and "
        "blood thinners are all reasons to check with a pharmacist or doctor first."
    ),
    "paracetamol": (
        "Paracetamol (acetaminophen) is a common painkiller, though back-pain guidelines don't "
        "suggest relying on it alone for low back pain. It is also hidden in many cold, flu and "
        "combination products, so check labels carefully to avoid doubling up without "
        "realising it."
    ),
    "opioid": (
        "Opioid (narcotic) painkillers such as codeine, tramadol, oxycodone or morphine are best "
        "used as little as possible and for as short a time as possible. Used over time they can "
        "lower your mood, cause dependence and bring side effects like drowsiness and "
        "constipation, and they don't help the back heal."
    ),
    "muscle_relaxant": (
        "Muscle relaxants such as diazepam, cyclobenzaprine or methocarbamol are also best kept "
        "to as little as possible. Over time they can lower your mood and lead to dependence, "
        "and they often cause drowsiness, so take care with driving and alcohol."
    ),
    "general": (
        "Medicines can help you stay active while back pain settles, but they ease symptoms "
        "rather than heal the back. Narcotic painkillers and muscle relaxants are best used as "
        "little as possible, and anti-inflammatories relieve pain without speeding healing."
    ),
}

_MEDICATION_AMOUNTS = (
    "I can't advise on how much to take or how often: your pharmacist or doctor can, and "
    "the label or leaflet sets the limits. If a clinician prescribed it for you, follow "
    "their instructions and talk to them before changing or stopping it."
)
_MEDICATION_ALTERNATIVES = (
    "Heat, cold packs, a liniment rub and massage are safe ways to ease pain alongside or "
    "instead of medicines, and the thing that actually drives healing is active exercise "
    "that is controlled, gradual and progressive."
)
_MEDICATION_URGENT = (
    "If you may have taken more than the label allows, get help now, even if you feel "
    "fine: call your local emergency number or poison information line."
)


def medication_answer(text: str) -> str:
    """An answer for a question about back-pain medicines, by the medicine mentioned.

    Never an amount or schedule: those go to a pharmacist, doctor or the label.
    """
    cleaned = clean_text(text)
    parts: List[str] = []
    if _OVERDOSE.search(cleaned):
        parts.append(_MEDICATION_URGENT)
    topics = _topics_in_order(cleaned, _MEDICATION_TOPICS) or ["general"]
    parts.extend(_MEDICATION_TEXT[topic] for topic in topics)
    parts.append(_MEDICATION_AMOUNTS)
    parts.append(_MEDICATION_ALTERNATIVES)
    return " ".join(parts)


# --------------------------------------------------------------------------- lifestyle

_LIFESTYLE_TOPICS: Dict[str, Pattern[str]] = {
    # Resting in bed, not the bed itself: checked before "mattress" and "sleep".
    "bed_rest": word_pattern(
        "bed rest", "bedrest", "stay in bed", "staying in bed", "stayed in bed", "stay in my bed",
        "lie in bed", "lying in bed", "lay in bed", "rest in bed", "resting in bed",
        "lie down all day", "lying down all day", "lay down all day", "lie flat all day",
        "stay lying down", "keep lying down", "should i lie down", "should i be lying down",
        "should i rest", "should i be resting", "should i just rest", "do i need to rest",
        "is rest good", "is resting good", "is rest better", "is rest best", "rest it",
        "rest my back", "resting my back", "complete rest", "total rest", "off my feet",
        "in bed all day", "bedbound", "bed bound",
    ),
    "sleep": word_pattern(
        "sleep", "sleeping", "slept", "insomnia", "asleep", "bedtime", "tired", "night",
        "nights", "rest", "resting", "nap",
    ),
    "diet": word_pattern(
        "diet", "food", "foods", "eat", "eating", "ate", "protein", "nutrition", "vitamin",
        "vitamins", "supplement", "supplements", "sugar", "sugary", "meal", "meals", "fruit",
        "vegetables", "veg",
    ),
    "smoking": word_pattern(
        "smoke", "smoking", "smoker", "cigarette", "cigarettes", "cigs", "vape", "vaping",
        "vapes", "nicotine", "e cig", "e cigarette", "tobacco",
    ),
    "weight": word_pattern(
        "weight", "overweight", "obese", "obesity", "lose weight", "losing weight",
        "bmi",
    ),
    "heat_cold": word_pattern(
        "heat", "heating pad", "heat pack", "hot water bottle", "warm bath", "hot bath", "ice",
        "ice pack", "cold", "cold pack", "frozen peas", "cold compress",
    ),
    "mattress": word_pattern("mattress", "mattresses", "bed", "beds", "pillow", "pillows", "topper"),
    "massage": word_pattern(
        "massage", "massages", "liniment", "rub", "rubs", "balm", "deep heat", "tiger balm",
        "ointment", "gel",
    ),
    "caffeine": word_pattern(
        "caffeine", "coffee", "coffees", "espresso", "tea", "energy drink", "energy drinks",
        "cola", "red bull",
    ),
}

_LIFESTYLE_TEXT: Dict[str, str] = {
    "bed_rest": (
        "Staying in bed isn't recommended for back pain. Lying still for long spells lets the "
        "back stiffen and the supporting muscles weaken, which tends to slow recovery. A short "
        "rest to ease a flare is fine; then get up and move gently again. Little and often "
        "works well: a few short, easy walks spread through the day, building toward one "
        "steady walk as things settle."
    ),
    "sleep": (
        "Good sleep supports healing. The best sleep aid is being physically tired, so an "
        "active day with your walk or exercises helps. Keep caffeine and nicotine away from "
        "bedtime, and if pain keeps waking you, mention it at your next check-in or to your "
        "doctor."
    ),
    "diet": (
        "Your body rebuilds tissue from what you eat. Aim for balanced meals with enough "
        "protein for repair, plus plenty of fruit and vegetables for vitamins and minerals. "
        "Calories from sugary foods that you don't burn off are stored as fat, and extra "
        "weight can slow recovery."
    ),
    "smoking": (
        "Smoking reduces the oxygen that reaches the structures of your spine, which gets in "
        "the way of repair. Stopping improves blood flow and recovery, and your doctor or a "
        "local stop-smoking service can help. Nicotine is a stimulant too, so avoid it close "
        "to bedtime."
    ),
    "weight": (
        "Extra weight can slow healing. Small, steady changes work best: balanced meals with "
        "enough protein and vegetables, fewer sugary extras, and regular low-impact activity "
        "such as walking, cycling or the pool. Your doctor or a dietitian can help you plan."
    ),
    "heat_cold": (
        "Heat and cold are both safe ways to ease back pain. Use whichever feels better: a "
        "warm pack or bath often loosens stiffness, a wrapped cold pack can calm a flare. "
        "Keep a cloth between the pack and your skin, limit each session, and skip them "
        "where your skin is numb."
    ),
    "mattress": (
        "There's no single best mattress for back pain. The right one is the one you sleep "
        "comfortably on and wake up less stiff from; if yours leaves you stiffer each "
        "morning, try a different firmness or a topper before buying new."
    ),
    "massage": (
        "Massage and liniment rubs are safe ways to ease pain and help you move more "
        "comfortably. Treat them as relief alongside your exercises rather than a "
        "replacement: active exercise is what drives healing."
    ),
    "caffeine": (
        "Caffeine is a stimulant, so keep coffee, tea, cola and energy drinks for earlier in "
        "the day. Deep sleep helps healing, and a stimulant near bedtime makes it harder "
        "to get."
    ),
    "general": (
        "Beyond exercise, a few habits help your back heal: sleep well (being physically "
        "tired helps), eat a balanced diet with enough protein, fruit and vegetables, stop "
        "smoking if you smoke, and keep caffeine and nicotine away from bedtime. Heat, cold, "
        "liniment and massage are safe ways to ease pain, and it's normal to feel wary of "
        "moving; steady, gradual training is what rebuilds confidence."
    ),
}

# Words that ask about the bed itself, even alongside a question about resting.
_BEDDING = word_pattern("mattress", "mattresses", "pillow", "pillows", "topper", "new bed")

# At most this many topic answers in one reply, so the message stays readable.
_MAX_LIFESTYLE_TOPICS = 3


def lifestyle_answer(text: str) -> str:
    """Lifestyle guidance for the topics mentioned (sleep, diet, smoking ...), or a summary."""
    cleaned = clean_text(text)
    topics = _topics_in_order(cleaned, _LIFESTYLE_TOPICS)
    if "bed_rest" in topics:
        # "should I stay in bed?" asks about resting, not about the bed or sleep.
        topics.remove("bed_rest")
        topics.insert(0, "bed_rest")
        if "sleep" in topics:
            topics.remove("sleep")
        if "mattress" in topics and not _BEDDING.search(cleaned):
            topics.remove("mattress")
    if "mattress" in topics and "sleep" in topics:
        topics.remove("sleep")  # "best bed for sleeping?" is a mattress question
    if not topics:
        topics = ["general"]
    return " ".join(_LIFESTYLE_TEXT[topic] for topic in topics[:_MAX_LIFESTYLE_TOPICS])


LIFESTYLE_TIPS: Tuple[str, ...] = (
    "A continuous walk at a steady pace counts far more than stop-start steps around the house.",
    "Being physically tired is a great sleep aid: an active day helps you sleep better.",
    "Keep coffee, tea and nicotine for earlier in the day; they make deep sleep harder to reach.",
    "Include some protein in each meal today: it supplies the building blocks for repair.",
    "Fruit and vegetables bring the vitamins and minerals your tissues need to heal.",
    "If you smoke, today is a good day to cut down: smoking starves the spine of oxygen.",
    "Heat, cold, a liniment rub or massage are safe ways to take the edge off pain.",
    "Tight hamstrings pull on the pelvis and load the low back; a gentle hamstring stretch helps.",
    "Hurt doesn't always mean harm: steady, gradual exercise teaches guarded muscles to relax.",
    "Painkillers can ease symptoms, but controlled, progressive exercise is what drives healing.",
    "Sweet snacks you don't burn off are stored as fat, and extra weight slows recovery.",
    "Water exercise is a gentle option on painful days: the water supports your weight.",
)
