"""One red-flag decision: is this message a red flag, which tier, and what the coach says.

`triage()` is the only place that decides. The NLU component (bot/nlu/component.py)
calls it to choose the intent and records the decision in the parse result
(``clinical.triage``); the escalation action (actions/safety.py) reads that record
through `triage_parse()` to choose the advice, and `make eval` (scripts/evaluate.py)
calls `triage_parse()` on the same parse results, so the figures measure exactly
what the component decided and the action says.

Tiers (clinical-guidance.md): 1 = emergency now (a crisis line too for self-harm),
2 = urgent, same day; 0 = no red flag. Tier 3 ("see a doctor or physiotherapist
soon") is never decided from one message: it comes from the stored history, in
bot/escalation.py.

A message with low mood and no red flag ("a bit low today", "fed up with this
back") is tier 0 with the reason ``low_mood``: empathy and the article's advice on
fear and anxiety, not the crisis line. Despair and wishes to be dead are the
self_harm red flag and win over low mood.

Pure: an Analysis (from bot.nlu.clinical) and the classifier's guess in, a Triage out.
Importing this module does not load the reader (spaCy): the action server reads the
decision the component recorded, and only a parse without one is read again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional, Tuple

from bot.nlu.red_flags import RULES_BY_REASON  # the rule table only: no spaCy
from bot.nlu.schema import EMERGENCY, URGENT

if TYPE_CHECKING:  # the reader (spaCy) is loaded only where a text is read
    from bot.nlu.clinical import Analysis

__all__ = ["EMERGENCY", "URGENT", "NONE", "RED_FLAG_INTENT", "LOW_MOOD", "UNSPECIFIED",
           "CLASSIFIER_ONLY_MIN_CONFIDENCE", "Triage", "triage", "triage_parse", "tier_of",
           "low_mood_advice", "reminder_of_open_flag"]

NONE = 0
RED_FLAG_INTENT = "report_red_flag"
LOW_MOOD = "low_mood"  # a reason, never a red flag
UNSPECIFIED = "unspecified"  # a red flag only the classifier saw: emergency advice, the safe side
SELF_HARM = "self_harm"
# A red flag only the classifier sees must be this sure to stand. Measured on the safety sets: true
# ones scored >= 0.999, ordinary chat it misread 0.47-0.79 on one training but up to 0.999 on
# another; hence also Analysis.about_health().
CLASSIFIER_ONLY_MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Triage:
    tier: int  # 0 none, 1 emergency now, 2 same day (3 comes from the history: bot/escalation.py)
    reasons: Tuple[str, ...] = ()  # red-flag codes, most urgent first; ("low_mood",) at tier 0
    advice: str = ""  # what the coach says; "" when there is nothing to say

    @property
    def red_flag(self) -> bool:
        return self.tier > NONE

    @property
    def low_mood(self) -> bool:
        return self.tier == NONE and LOW_MOOD in self.reasons

    def flags(self) -> Tuple[Tuple[int, str], ...]:
        """(tier, reason) of each red flag, for the escalation store."""
        return tuple((tier_of(r), r) for r in self.reasons if r != LOW_MOOD)


def tier_of(reason: str) -> int:
    """The tier of a red-flag code (an unnamed one is an emergency)."""
    rule = RULES_BY_REASON.get(reason)
    return rule.tier if rule is not None else EMERGENCY


def triage(analysis: Analysis, intent: Optional[str] = None, confidence: float = 0.0) -> Triage:
    """The decision for one message.

    - An affirmed red flag the rules find decides, most urgent first.
    - Otherwise the classifier's red flag (`intent` with `confidence`) stands only when it is
      sure, the message speaks of the body, pain, care or mood, not every red-flag word in it is
      denied, and it is not plain low mood: then it is an unnamed tier-1 flag.
    - Otherwise low mood said by the speaker is tier 0 with the low-mood reply.
    """
    flags = analysis.affirmed_red_flags()
    if flags:
        reasons = tuple(dict.fromkeys(f.reason for f in flags))
        return Triage(min(f.tier for f in flags), reasons, _advice(reasons))
    if intent == RED_FLAG_INTENT and _classifier_flag_stands(analysis, confidence):
        return Triage(EMERGENCY, (UNSPECIFIED,), _advice((UNSPECIFIED,)))
    if analysis.low_mood:
        return Triage(NONE, (LOW_MOOD,), _LOW_MOOD_ADVICE)
    return Triage(NONE)


def _classifier_flag_stands(analysis: Analysis, confidence: float) -> bool:
    if confidence < CLASSIFIER_ONLY_MIN_CONFIDENCE or not analysis.about_health():
        return False
    if analysis.all_mentions_denied():
        return False  # "no numbness, bladder fine"; "this pain is killing me"
    # "feeling a bit low today" is not despair; "so low, what's the point anymore" may be.
    return not (analysis.low_mood and not analysis.despair_terms)


def triage_parse(parse_data: Mapping) -> Triage:
    """The decision for a parse result of the trained pipeline (what the action and `make eval`
    see): the one the NLU component made and recorded in ``clinical.triage`` (tier and reasons),
    with the words `triage()` gives it. The text is not read again.

    Only a parse without a recorded decision (a model without the clinical component, or an
    older one) is read from its text, with the classifier's guess (``clinical.classifier`` when
    kept, else the intent); a button payload ("/report_red_flag") is not text to read.

    The dialogue runs the escalation on the ``report_red_flag`` intent, so a parse with that
    intent is never sent away with nothing: it gets an unnamed tier-1 flag when no red flag
    is named.
    """
    parse_data = parse_data if isinstance(parse_data, Mapping) else {}
    final = parse_data.get("intent") if isinstance(parse_data.get("intent"), Mapping) else {}
    clinical = parse_data.get("clinical") if isinstance(parse_data.get("clinical"), Mapping) else {}
    decision = _recorded(clinical.get("triage"))
    if decision is None:
        decision = _read_again(str(parse_data.get("text") or ""), clinical.get("classifier") or final)
    if final.get("name") == RED_FLAG_INTENT and not decision.red_flag:
        return Triage(EMERGENCY, (UNSPECIFIED,), _advice((UNSPECIFIED,)))
    return decision


def _recorded(recorded) -> Optional[Triage]:
    """The Triage of a decision the component recorded ({"tier", "reasons"}), or None when there
    is none or it is not one `triage()` makes (then the text is read again)."""
    if not isinstance(recorded, Mapping):
        return None
    tier, reasons = recorded.get("tier"), recorded.get("reasons")
    if isinstance(tier, bool) or tier not in (NONE, EMERGENCY, URGENT):
        return None
    if not isinstance(reasons, (list, tuple)) or not all(isinstance(r, str) for r in reasons):
        return None
    flags = tuple(dict.fromkeys(r for r in reasons if r != LOW_MOOD))
    if tier == NONE:
        if flags:
            return None  # a red-flag reason at tier 0 is not a decision triage() makes
        return Triage(NONE, (LOW_MOOD,), _LOW_MOOD_ADVICE) if LOW_MOOD in reasons else Triage(NONE)
    flags = flags or (UNSPECIFIED,)
    # The reasons name the tier (tier_of), so the tier, the advice and the stored rows agree.
    return Triage(min(tier_of(r) for r in flags), flags, _advice(flags))


def _read_again(text: str, guess) -> Triage:
    """`triage()` on the text itself: for a parse the component did not decide."""
    guess = guess if isinstance(guess, Mapping) else {}
    if text.startswith("/") or not text.strip():
        return Triage(NONE)  # a button payload or nothing: no words to read (the reader finds none)
    from bot.nlu.clinical import analyse  # the reader (spaCy) only here: the action server never needs it

    try:
        confidence = float(guess.get("confidence") or 0.0)
    except (TypeError, ValueError):
        confidence = 0.0
    return triage(analyse(text), guess.get("name"), confidence)


# --------------------------------------------------------------------------- what is said

_EMERGENCY_ADVICE = (
    "⚠️ What you describe can be a sign of a serious problem that needs checking straight away. "
    "Please call your local emergency number (999 in the UK, 911 in the US, 112 in the EU) "
    "or go to the nearest emergency department now. Don't wait to see if it settles."
)
_SELF_HARM_ADVICE = (
    "I'm really sorry you're feeling this way, and I'm glad you told me. "
    "If you might act on these thoughts, call your local emergency number now. "
    "You can also talk to someone at a crisis line any time: Samaritans 116 123 (UK/Ireland), "
    "988 Suicide & Crisis Lifeline (US), or your local crisis service."
)
_URGENT_ADVICE = (
    "⚠️ Back pain together with what you describe should be looked at by a doctor today. "
    "Please contact your doctor for a same-day appointment or go to urgent care."
)
_PAUSE_NOTE = (
    "I'll hold off on exercise suggestions until you've been assessed. "
    "When a clinician has seen you, tell me (\"I've seen a doctor\") and we'll carry on."
)
# The article: manage the fear and anxiety of re-injury; graded training is what retrains the
# guarding muscles. A clinician if the low mood persists.
_LOW_MOOD_ADVICE = (
    "I'm sorry it's getting you down. Living with back pain is wearing, and feeling low or fed up "
    "with it is very common; it doesn't mean you're doing anything wrong. Worry about hurting the "
    "back again often keeps the muscles guarding it tense, and what eases that is small, steady "
    "steps: a short walk or one gentle exercise you feel sure of, a little more each day. Hurt "
    "does not always mean harm. If your mood stays low for a couple of weeks, or starts to get in "
    "the way of daily life, please talk to your doctor or physiotherapist; they can help with this "
    "side of recovery too."
)
_WHERE = {
    EMERGENCY: "call your local emergency number or go to an emergency department",
    URGENT: "get a same-day appointment with a doctor or urgent care",
}


def _advice(reasons: Tuple[str, ...]) -> str:
    """Self-harm gets the crisis line; any other flag the advice of its most urgent tier."""
    parts = [_SELF_HARM_ADVICE] if SELF_HARM in reasons else []
    physical = [tier_of(r) for r in reasons if r not in (SELF_HARM, LOW_MOOD)]
    if physical:
        parts += [_EMERGENCY_ADVICE if min(physical) == EMERGENCY else _URGENT_ADVICE, _PAUSE_NOTE]
    return "\n\n".join(parts)


def low_mood_advice() -> str:
    """The reply to low mood without a red flag (also when only the classifier heard it)."""
    return _LOW_MOOD_ADVICE


def reminder_of_open_flag(tier: int) -> str:
    """What a plan request gets while a red flag is still open."""
    where = _WHERE[EMERGENCY if tier == EMERGENCY else URGENT]
    return (
        "Earlier you mentioned a symptom that needs a clinician's assessment first, so I won't "
        f"suggest exercises yet. Please {where}. Once you've been assessed, tell me and "
        "I'll put your plan together."
    )
