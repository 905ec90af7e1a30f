"""The text of the nudges: rotation material, what each kind must say, how parts join."""
from __future__ import annotations

import re
from datetime import date, time

import pytest

from bot.nudges import policy, wording
from bot.nudges.records import (
    ASSESSED, KINDS, MESSAGE_KINDS, NudgeFacts, NudgeMessage, NudgeSettings, ReminderPref, SentNudge,
    Slot)
from bot.thresholds import WALK_TARGET_MIN

_SENTENCE_END = re.compile(r"[.?!][\"”)]?(?=\s|$)")


def sentences(text: str) -> int:
    return len(_SENTENCE_END.findall(text))


def all_main_texts():
    """Every variant of every kind, alone (no tip, no pause offer)."""
    for kind in MESSAGE_KINDS:
        for v in range(wording.variants(kind)):
            yield kind, v, wording.render(NudgeMessage(kind=kind, variant=v, walk_minutes=25))


def test_enough_variants_to_rotate():
    assert all(wording.variants(kind) >= 3 for kind in KINDS)
    assert wording.variants(ASSESSED) >= 2
    assert wording.SLEEP_TIP_COUNT >= 3
    with pytest.raises(ValueError):
        wording.variants("lunch")
    with pytest.raises(ValueError):
        wording.render(NudgeMessage(kind="lunch"))


def test_every_text_is_different_and_short():
    texts = [t for _, _, t in all_main_texts()]
    assert len(set(texts)) == len(texts)
    for kind, v, text in all_main_texts():
        for part in text.split("\n\n"):
            assert 1 <= sentences(part) <= 3, (kind, v, part)
    for tip in range(wording.SLEEP_TIP_COUNT):
        assert 1 <= sentences(wording.sleep_tip(tip)) <= 3


@pytest.mark.parametrize("variant", range(3))
def test_checkin_invites_and_a_yes_starts_it(variant):
    text = wording.render(NudgeMessage(kind="checkin", variant=variant))
    assert "\n\n" not in text
    assert "check-in" in text
    assert '"yes"' in text
    assert "?" in text


@pytest.mark.parametrize("variant", range(3))
def test_walk_names_todays_minutes_in_one_go(variant):
    t25 = wording.render(NudgeMessage(kind="walk", variant=variant, walk_minutes=25))
    t30 = wording.render(NudgeMessage(kind="walk", variant=variant, walk_minutes=30))
    assert "25 minutes in one go" in t25
    assert "30 minutes in one go" in t30
    assert (t25.replace("25 minutes in one go", "N minutes in one go")
            == t30.replace("30 minutes in one go", "N minutes in one go"))
    assert "walked" in t25                      # invites them to say when they have
    default = wording.render(NudgeMessage(kind="walk", variant=variant))
    assert default == t25.replace("25 minutes", f"{WALK_TARGET_MIN} minutes")


def test_walk_wording_is_about_continuous_walking():
    texts = [wording.render(NudgeMessage(kind="walk", variant=v, walk_minutes=20))
             for v in range(wording.variants("walk"))]
    assert all(any(w in t for w in ("steady", "continuous", "even pace")) for t in texts)


def test_sleep_tips_are_the_articles():
    tips = [wording.sleep_tip(i) for i in range(wording.SLEEP_TIP_COUNT)]
    assert len(set(tips)) == len(tips)
    assert any("active" in t and "deep sleep" in t for t in tips)
    assert any("caffeine" in t and "nicotine" in t and "bedtime" in t for t in tips)
    assert any("smok" in t and "blood supply" in t and "spine" in t for t in tips)
    assert wording.sleep_tip(wording.SLEEP_TIP_COUNT) == tips[0]   # wraps


@pytest.mark.parametrize("variant", range(3))
def test_sleep_nudge_is_a_wind_down_and_one_tip(variant):
    text = wording.render(NudgeMessage(kind="sleep", variant=variant, sleep_tip=variant))
    opener, tip = text.split("\n\n")
    assert tip == wording.sleep_tip(variant)
    # Without an explicit tip the variant picks it.
    assert wording.render(NudgeMessage(kind="sleep", variant=variant)) == text


def test_sleep_openers_rotate_with_the_variant():
    openers = {wording.render(NudgeMessage(kind="sleep", variant=v, sleep_tip=0)).split("\n\n")[0]
               for v in range(wording.variants("sleep"))}
    assert len(openers) == wording.variants("sleep")


def test_checkin_folds_in_one_sleep_tip_only_when_asked():
    plain = wording.render(NudgeMessage(kind="checkin", variant=1))
    folded = wording.render(NudgeMessage(kind="checkin", variant=1, sleep_tip=2))
    first, second = folded.split("\n\n")
    assert first == plain
    assert second.endswith(wording.sleep_tip(2))
    assert second != wording.sleep_tip(2)          # introduced, not bare
    # Walk and assessed never carry the tip.
    assert wording.render(NudgeMessage(kind="walk", variant=0, walk_minutes=20, sleep_tip=1)) \
        == wording.render(NudgeMessage(kind="walk", variant=0, walk_minutes=20))
    assert wording.render(NudgeMessage(kind=ASSESSED, variant=0, sleep_tip=1)) \
        == wording.render(NudgeMessage(kind=ASSESSED, variant=0))


@pytest.mark.parametrize("variant", range(2))
def test_assessed_asks_about_a_doctor_with_an_answer_hint(variant):
    text = wording.render(NudgeMessage(kind=ASSESSED, variant=variant))
    assert "doctor" in text and "symptom" in text
    assert "?" in text and '"yes"' in text and '"not yet"' in text


@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_offer_pause_adds_one_paragraph(kind):
    base = wording.render(NudgeMessage(kind=kind, variant=0, walk_minutes=20))
    offered = wording.render(NudgeMessage(kind=kind, variant=0, walk_minutes=20, offer_pause=True))
    head, _, tail = offered.rpartition("\n\n")
    assert head == base
    assert '"pause for a week"' in tail
    assert sentences(tail) == 1
    assert '"pause for a week"' not in base


def test_variant_out_of_range_wraps():
    for kind in MESSAGE_KINDS:
        n = wording.variants(kind)
        assert (wording.render(NudgeMessage(kind=kind, variant=n + 1, walk_minutes=20))
                == wording.render(NudgeMessage(kind=kind, variant=1, walk_minutes=20)))


def test_a_message_renders_the_same_after_travelling_as_entities():
    message = NudgeMessage(kind="checkin", variant=2, sleep_tip=1, offer_pause=True)
    back = NudgeMessage.from_entities(message.to_entities())
    assert back == message
    assert wording.render(back) == wording.render(message)


def test_ten_days_of_checkins_never_say_the_same_thing_two_days_running():
    """Through the policy: a person who answers every day gets fresh wording each day."""
    s = NudgeSettings(zone="Europe/London", reminders=(ReminderPref("checkin", time(9, 0)),))
    history = []
    texts = []
    for i in range(10):
        day = date(2026, 10, 20 + i)               # across the fall-back day
        due = policy.to_utc(day, time(9, 0), s.zone)
        facts = NudgeFacts(sent=tuple(history), poor_nights=2 if i % 4 == 0 else 0,
                           last_message_at=policy.to_utc(day, time(7, 0), s.zone))
        d = policy.decide(Slot("checkin", day, due), s, facts, due.replace(minute=5))
        assert d.send
        history.append(SentNudge(d.message.kind, day, d.message.variant, due))
        texts.append(wording.render(d.message))
    assert all(a.split("\n\n")[0] != b.split("\n\n")[0] for a, b in zip(texts, texts[1:]))
    assert [len(t.split("\n\n")) for t in texts] == [2, 1, 1, 1, 2, 1, 1, 1, 2, 1]
