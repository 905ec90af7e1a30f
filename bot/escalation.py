"""Tier-3 referrals read from the check-in history: "see a clinician soon".

Pure: stored check-ins, the current one, its pain direction, the onset date and
``today`` in; stable reason codes and the advice text out (clinical-guidance.md,
escalation tier 3). Every rule looks only at the current *episode*, which starts
on the onset date when it is known, else at the first stored check-in, so a new
onset starts the history afresh. A tier-3 referral is advice, not a hold: the
coach keeps giving plans. The text never diagnoses and never mentions medication.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Iterable, List, Optional, Sequence, Tuple

from bot.clinical import meaningful_improvement
from bot.records import CheckinRecord

NO_IMPROVEMENT = "no_improvement_4_weeks"
WORSENING = "worsening_above_baseline"
SPREADING_REPEATED = "peripheralizing_repeated"
SPREADING_NUMBNESS = "peripheralizing_new_numbness"
REASONS = (NO_IMPROVEMENT, WORSENING, SPREADING_REPEATED, SPREADING_NUMBNESS)
SPREADING_REASONS = frozenset({SPREADING_REPEATED, SPREADING_NUMBNESS})
TIER = 3

NO_IMPROVEMENT_DAYS = 28  # "pain not improving after about 4 weeks"
WORSENING_POINTS = 2.0  # above the episode's baseline
WORSENING_RUN = 3  # consecutive scored check-ins, the current one included
NERVE_SYMPTOMS = ("numbness", "tingling")
ONE_SIDE = ("left", "right")
_KNOWN_DIRECTIONS = ("centralizing", "peripheralizing", "stable")  # None/"unknown" = none
_EPSILON = 1e-9  # keeps "exactly 2 points" at 2 despite float rounding


# --- the episode ---------------------------------------------------------------

def episode_start(history: Sequence[CheckinRecord], current: CheckinRecord,
                  onset: Optional[date]) -> datetime:
    """Midnight of the onset day, else the first stored check-in, else now.

    Also the cut-off for "already advised this episode" in the store.
    """
    if onset is not None:
        return datetime.combine(onset, time.min)
    return min((c.at for c in history), default=current.at)


def _episode(history: Sequence[CheckinRecord], current: CheckinRecord,
             onset: Optional[date]) -> List[CheckinRecord]:
    """Stored check-ins of this episode up to the current one, oldest first."""
    start = episode_start(history, current, onset)
    return sorted((c for c in history if start <= c.at <= current.at), key=lambda c: c.at)


def _scores(episode: Sequence[CheckinRecord], current: CheckinRecord) -> List[float]:
    """The episode's pain scores, oldest first, ending with the current one if scored."""
    return [float(c.pain_score) for c in [*episode, current] if c.pain_score is not None]


# --- the four rules ------------------------------------------------------------

def _not_improving(episode: Sequence[CheckinRecord], current: CheckinRecord,
                   start: date, today: date) -> bool:
    """Four weeks in and still hurting, without a meaningful drop from the baseline.

    With no earlier score the baseline is the current score, which cannot show
    an improvement: pain still there after four weeks is enough to refer.
    """
    if (today - start).days < NO_IMPROVEMENT_DAYS:
        return False
    if current.pain_score is None:
        return current.trend in ("worse", "same")
    if current.pain_score <= 0:
        return False
    baseline = _scores(episode, current)[0]
    return not meaningful_improvement(baseline, float(current.pain_score))


def _worsening(episode: Sequence[CheckinRecord], current: CheckinRecord) -> bool:
    """The last three scores are each 2+ points above an earlier baseline."""
    if current.pain_score is None:
        return False
    scores = _scores(episode, current)
    if len(scores) < WORSENING_RUN + 1:  # the baseline must come before the run
        return False
    baseline = scores[0]
    return all(s - baseline + _EPSILON >= WORSENING_POINTS for s in scores[-WORSENING_RUN:])


def _last_direction(episode: Sequence[CheckinRecord]) -> Optional[str]:
    """Direction of the latest stored check-in that had one."""
    for checkin in reversed(episode):
        if checkin.direction in _KNOWN_DIRECTIONS:
            return checkin.direction
    return None


def _spreading_again(episode: Sequence[CheckinRecord], direction: str) -> bool:
    """Peripheralizing now and at the previous check-in that had a direction."""
    return direction == "peripheralizing" and _last_direction(episode) == "peripheralizing"


def _nerve_symptoms(checkin: CheckinRecord) -> bool:
    return any(s in NERVE_SYMPTOMS for s in checkin.symptoms)


def _new_one_sided_numbness(episode: Sequence[CheckinRecord], current: CheckinRecord,
                            direction: str) -> bool:
    """Spreading now, with numbness/tingling in one leg the last check-in did not report.

    Both sides is a tier-1 emergency, handled elsewhere, so it does not count.
    The last check-in already reported it when it had numbness or tingling on
    the same side, both sides or an unnamed side.
    """
    if direction != "peripheralizing" or current.side not in ONE_SIDE:
        return False
    if not _nerve_symptoms(current):
        return False
    previous = episode[-1] if episode else None
    reported_before = (previous is not None and _nerve_symptoms(previous)
                       and previous.side in (current.side, "both", None))
    return not reported_before


def tier3_reasons(
    history: Sequence[CheckinRecord],
    current: CheckinRecord,
    direction: str,
    onset: Optional[date],
    today: date,
) -> Tuple[str, ...]:
    """Tier-3 reasons that apply now, in REASONS order.

    `history` is the stored check-ins before `current` (any order; later ones
    are ignored) and `direction` is the current check-in's pain direction.
    """
    episode = _episode(history, current, onset)
    start = episode_start(history, current, onset).date()
    applies = {
        NO_IMPROVEMENT: _not_improving(episode, current, start, today),
        WORSENING: _worsening(episode, current),
        SPREADING_REPEATED: _spreading_again(episode, direction),
        SPREADING_NUMBNESS: _new_one_sided_numbness(episode, current, direction),
    }
    return tuple(reason for reason in REASONS if applies[reason])


def new_reasons(reasons: Iterable[str], already_given: Iterable[str],
                urgent_open: bool = False) -> Tuple[str, ...]:
    """The reasons not yet given this episode: each referral is made once.

    None while a tier 1-2 red flag is open: its advice to get assessed now
    stands, and "it isn't an emergency" would contradict it. Held reasons are
    not recorded, so they are given at a later check-in if they still apply.
    """
    if urgent_open:
        return ()
    given = set(already_given)
    fresh: List[str] = []
    for reason in reasons:
        if reason not in given and reason not in fresh:
            fresh.append(reason)
    return tuple(fresh)


# --- the advice ------------------------------------------------------------------

_WHY = {
    NO_IMPROVEMENT: ("your back pain has gone on for about four weeks or more without "
                     "clearly easing (a drop of 2 points or 30% is what I look for)"),
    WORSENING: ("your pain score has been at least 2 points higher than where it started at "
                "each of your last three check-ins"),
    SPREADING_REPEATED: "your pain has spread further down your leg at two check-ins in a row",
    SPREADING_NUMBNESS: ("you've noticed new numbness or tingling in one leg as the pain "
                         "spread further down it"),
}

STOP_SPREADING = ("Until then, stop or reduce the movement that made it spread. If moving "
                  "the opposite way eased it before, lean on that instead.")
KEEP_GENTLE = "Until then, you can keep going with gentle activity that feels manageable."
SAFETY_NET = ("If you get numbness or weakness in both legs, numbness around your bottom or "
              "genitals, or trouble controlling your bladder or bowels, that's an emergency: "
              "call your local emergency number straight away.")


def _join(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def referral_advice(reasons: Sequence[str]) -> str:
    """One message: see a clinician within days, why in plain words, what to do meanwhile.

    Empty when there is nothing to refer. Spreading reasons add the advice to
    stop or reduce what made the pain spread.
    """
    known = [r for r in REASONS if r in reasons]
    if not known:
        return ""
    meanwhile = STOP_SPREADING if SPREADING_REASONS.intersection(known) else KEEP_GENTLE
    return (
        "Please see a doctor or physiotherapist soon (within the next few days), because "
        f"{_join([_WHY[r] for r in known])}. It isn't an emergency, but it's worth having "
        f"your back examined, which I can't do from here. {meanwhile} {SAFETY_NET}"
    )
