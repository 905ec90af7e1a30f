"""Tier-3 referrals read from the check-in history: "see a clinician soon".

Pure: stored check-ins, the current one, its pain direction, the onset date and
``today`` in; stable reason codes and the advice text out (clinical-guidance.md,
escalation tier 3). Every rule looks only at the current *episode*, which starts
on the onset date when it is known, else at the first stored check-in, so a new
onset starts the history afresh. A tier-3 referral is advice, not a hold: the
coach keeps giving plans. The text never diagnoses and never mentions medication.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable, List, Optional, Sequence, Tuple

from bot.progress import say_day
from bot.records import CheckinRecord
from bot.thresholds import SEE_A_DOCTOR_DAYS

# "See a physician if it lasts more than a few weeks or a month": said once per
# episode whatever the scores. The stored code keeps its first spelling so a
# referral given before the rule changed still counts as given.
SEE_A_DOCTOR = "no_improvement_4_weeks"
NO_IMPROVEMENT = SEE_A_DOCTOR  # the old name, kept importable
WORSENING = "worsening_above_baseline"
SPREADING_REPEATED = "peripheralizing_repeated"
SPREADING_NUMBNESS = "peripheralizing_new_numbness"
REASONS = (SEE_A_DOCTOR, WORSENING, SPREADING_REPEATED, SPREADING_NUMBNESS)
SPREADING_REASONS = frozenset({SPREADING_REPEATED, SPREADING_NUMBNESS})
TIER = 3

NO_IMPROVEMENT_DAYS = SEE_A_DOCTOR_DAYS  # the old name, kept importable
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

def _lasting(current: CheckinRecord, start: date, today: date) -> bool:
    """Four weeks or more into the episode and not pain-free today.

    Whatever the scores: pain that eases but is still there after about a
    month is worth examining (the article). Only a reported 0/10 holds it back,
    as the pain has not lasted; it is given at a later check-in if pain returns.
    """
    if (today - start).days < SEE_A_DOCTOR_DAYS:
        return False
    return current.pain_score is None or current.pain_score > 0


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
        SEE_A_DOCTOR: _lasting(current, start, today),
        WORSENING: _worsening(episode, current),
        SPREADING_REPEATED: _spreading_again(episode, direction),
        SPREADING_NUMBNESS: _new_one_sided_numbness(episode, current, direction),
    }
    return tuple(reason for reason in REASONS if applies[reason])


@dataclass(frozen=True)
class EpisodeAge:
    """How long this episode has gone on, and whether that counts from a known onset."""

    start: date  # the onset day, else the first stored check-in's day
    onset_known: bool
    today: date

    @property
    def weeks(self) -> int:
        return max((self.today - self.start).days, 0) // 7


def episode_age(history: Sequence[CheckinRecord], current: CheckinRecord,
                onset: Optional[date], today: date) -> EpisodeAge:
    """The episode's start as episode_start finds it, for the "see a doctor" text."""
    start = episode_start(history, current, onset).date()
    return EpisodeAge(start=start, onset_known=onset is not None, today=today)


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
    WORSENING: ("your pain score has been at least 2 points higher than where it started at "
                "each of your last three check-ins"),
    SPREADING_REPEATED: "your pain has spread further down your leg at two check-ins in a row",
    SPREADING_NUMBNESS: ("you've noticed new numbness or tingling in one leg as the pain "
                         "spread further down it"),
}
LASTING_MATTERS = ("Back pain that lasts four weeks or more deserves a proper check, even "
                   "when it is slowly easing.")


def _weeks(count: int) -> str:
    return "1 week" if count == 1 else f"{count} weeks"


def _why_lasting(age: Optional[EpisodeAge]) -> str:
    """How long it has been, counting from the onset or else the first check-in."""
    if age is None:
        return "your back pain has gone on for about a month"
    when = say_day(age.start, age.today)  # "on 3 Nov"
    if age.onset_known:
        return f"your back pain began {_weeks(age.weeks)} ago, {when}"
    return (f"you first checked in with me {_weeks(age.weeks)} ago, {when} (I don't know "
            "when the pain began, so I'm counting from then)")


# Shared with the check-in's direction advice (bot.coaching), so it is written once.
SPREAD_SELF_CARE = ("stop or reduce the movement that set it off, and if moving the opposite "
                    "way has eased it before, favour that instead.")
STOP_SPREADING = f"Until then, {SPREAD_SELF_CARE}"
KEEP_GENTLE = "Until then, you can keep going with gentle activity that feels manageable."
SAFETY_NET = ("If you get numbness or weakness in both legs, numbness around your bottom or "
              "genitals, or trouble controlling your bladder or bowels, that's an emergency: "
              "call your local emergency number straight away.")


def _why(reason: str, age: Optional[EpisodeAge]) -> str:
    return _why_lasting(age) if reason == SEE_A_DOCTOR else _WHY[reason]


def _join(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def referral_advice(reasons: Sequence[str], age: Optional[EpisodeAge] = None) -> str:
    """One message: see a clinician within days, why in plain words, what to do meanwhile.

    Empty when there is nothing to refer. Spreading reasons add the advice to
    stop or reduce what made the pain spread. `age` (episode_age) lets the
    "see a doctor" reason say how long it has been and from when it counts.
    """
    known = [r for r in REASONS if r in reasons]
    if not known:
        return ""
    meanwhile = STOP_SPREADING if SPREADING_REASONS.intersection(known) else KEEP_GENTLE
    lasting = f" {LASTING_MATTERS}" if SEE_A_DOCTOR in known else ""
    return (
        "Please see a doctor or physiotherapist soon (within the next few days), because "
        f"{_join([_why(r, age) for r in known])}.{lasting} It isn't an emergency, but it's worth having "
        f"your back examined, which I can't do from here. {meanwhile} {SAFETY_NET}"
    )
