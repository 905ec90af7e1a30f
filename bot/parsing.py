"""Numbers, pain scores, durations, onset and clock times from chat text.

The coach runs without Duckling, so the few quantities it needs are read here.
Pure and defensive: every function takes any string (empty, emoji, 100k chars)
and returns None rather than raising. Text is split once into tokens by a
simple linear regex and then read with bounded look-ahead, so there is no
regex backtracking to blow up on long input.
"""
from __future__ import annotations

import math
import re
from itertools import islice
from dataclasses import dataclass
from datetime import date, time
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple, Union

# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|\S")
_AMPM_RE = re.compile(r"\b([ap])\.\s?m\b\.?")
_OCLOCK_RE = re.compile(r"\bo\s?'?\s?clock\b")
_NOT_RE = re.compile(r"n't\b")
_IS_RE = re.compile(r"'s\b")
_WORD_HYPHEN_RE = re.compile(r"(?<=\w)-(?=[^\W\d_])")  # "twenty-five", "30-minute"; not "6-7"
_DECIMALS_RE = re.compile(r"[.,](\d{1,2})$")
# A chat message never needs more; longer input is read only this far, which
# keeps every parser well under a few milliseconds even for 100k characters.
MAX_TOKENS = 2000


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def is_num(self) -> bool:
        return self.text[0].isdecimal()


# After case folding, in this order: the one list of rewrites that both _normalise and
# _normalise_tracked apply. A plain string is replaced as it is (str.replace), a pattern
# with its template.
_REWRITES: Tuple[Tuple[Union[str, "re.Pattern[str]"], str], ...] = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u2013", "-"), ("\u2014", "-"),
    (_AMPM_RE, r"\1m"),
    (_OCLOCK_RE, " oclock"),
    ("can't", "can not"), ("won't", "will not"),
    (_NOT_RE, " not"),
    (_IS_RE, " is"),
    (_WORD_HYPHEN_RE, " "),
)
_REWRITE_PATTERNS = tuple((re.compile(re.escape(find)) if isinstance(find, str) else find, replacement)
                          for find, replacement in _REWRITES)


def _normalise(text: str) -> str:
    text = text.casefold()
    for find, replacement in _REWRITES:
        text = text.replace(find, replacement) if isinstance(find, str) else find.sub(replacement, text)
    return text


def _normalise_tracked(text: str) -> Tuple[str, List[int]]:
    """_normalise(text), and for each of its characters the index in `text` it came from
    (a rewrite's characters come from the characters it replaced), so what is read in the
    normalised text can be pointed at in the text as written."""
    folded: List[str] = []
    origin: List[int] = []
    for i, char in enumerate(text):
        same = char.casefold()  # casefold works character by character ("ß" -> "ss")
        folded.append(same)
        origin.extend([i] * len(same))
    out = "".join(folded)
    for pattern, replacement in _REWRITE_PATTERNS:
        pieces: List[str] = []
        moved: List[int] = []
        last = 0
        for match in pattern.finditer(out):
            start, end = match.span()
            written = match.expand(replacement)
            pieces.append(out[last:start])
            moved.extend(origin[last:start])
            pieces.append(written)
            moved.extend(origin[min(start + k, end - 1)] for k in range(len(written)))
            last = end
        pieces.append(out[last:])
        moved.extend(origin[last:])
        out, origin = "".join(pieces), moved
    return out, origin


def _split(normalised: str) -> List[_Tok]:
    matches = islice(_TOKEN_RE.finditer(normalised), MAX_TOKENS)
    return [_Tok(m.group(), m.start(), m.end()) for m in matches]


def _tokens(text: str) -> List[_Tok]:
    if not isinstance(text, str) or not text:
        return []
    return _split(_normalise(text))


def _word(toks: Sequence[_Tok], i: int) -> str:
    """The token text at i, or '' past either end (keeps look-ahead code short)."""
    return toks[i].text if 0 <= i < len(toks) else ""


def _adjacent(toks: Sequence[_Tok], i: int, j: int) -> bool:
    return 0 <= i < len(toks) and 0 <= j < len(toks) and toks[i].end == toks[j].start


def _digits_value(raw: str) -> Optional[float]:
    """'7', '7.5', '6,5' (decimal comma) and '1,500' (thousands) -> float."""
    if "," in raw:
        head, _, tail = raw.partition(",")
        raw = head + tail if len(tail) == 3 else head + "." + tail
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- numbers

_UNITS: Dict[str, int] = {
    "zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
_TEENS: Dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS: Dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})


@dataclass(frozen=True)
class _Num:
    start: int  # first token (an article "a"/"an" or "-" sign included)
    end: int  # one past the last token
    value: float
    spelled: bool  # written in words
    article: bool  # "a four", "an eight"
    ordinal: bool = False  # "3rd"
    decimals: int = 0  # digits after the decimal point as written


def _small(toks: Sequence[_Tok], j: int) -> Optional[Tuple[int, int]]:
    """0-99 written in words at j -> (value, next index)."""
    w = _word(toks, j)
    if w in _TENS:
        unit = _UNITS.get(_word(toks, j + 1), 0)
        return (_TENS[w] + unit, j + 2) if unit else (_TENS[w], j + 1)
    if w in _TEENS:
        return _TEENS[w], j + 1
    if w in _UNITS:
        return _UNITS[w], j + 1
    return None


def _half_suffix(toks: Sequence[_Tok], j: int, value: float) -> Tuple[float, int]:
    """'... and a half' / 'and a quarter' after a number."""
    if _word(toks, j) == "and":
        k = j + 2 if _word(toks, j + 1) == "a" else j + 1
        if _word(toks, k) == "half":
            return value + 0.5, k + 1
        if _word(toks, k) == "quarter":
            return value + 0.25, k + 1
    if _word(toks, j) == "\u00bd":
        return value + 0.5, j + 1
    return value, j


def _number_at(toks: Sequence[_Tok], i: int) -> Optional[_Num]:
    tok = toks[i]
    if tok.is_num:
        value = _digits_value(tok.text)
        if value is None:
            return None
        start = i
        if (_word(toks, i - 1) == "-" and _adjacent(toks, i - 1, i)
                and not (i >= 2 and _adjacent(toks, i - 2, i - 1))):
            value, start = -value, i - 1
        ordinal = _word(toks, i + 1) in _ORDINAL_SUFFIXES and _adjacent(toks, i, i + 1)
        decimals_match = _DECIMALS_RE.search(tok.text)
        decimals = len(decimals_match.group(1)) if decimals_match else 0
        value, end = _half_suffix(toks, i + 1, value)
        return _Num(start, end, value, spelled=False, article=False, ordinal=ordinal, decimals=decimals)

    j = i
    article = tok.text in ("a", "an")
    if article:
        j += 1
    small = _small(toks, j)
    if small is not None or (_word(toks, j) == "hundred" and article):
        value, j = (float(small[0]), small[1]) if small is not None else (1.0, j)
        if _word(toks, j) == "hundred":
            value, j = value * 100, j + 1
            rest = _small(toks, j + 1) if _word(toks, j) == "and" else _small(toks, j)
            if rest is not None:
                value, j = value + rest[0], rest[1]
    elif _word(toks, j) == "dozen" and article:
        value, j = 12.0, j + 1
    elif _word(toks, j) == "half":
        return _Num(i, j + 1, 0.5, spelled=True, article=article)
    else:
        return None
    if _word(toks, j) == "point" and _word(toks, j + 1) in _UNITS:
        digits = ""
        k = j + 1
        while _word(toks, k) in _UNITS and len(digits) < 6:
            digits += str(_UNITS[_word(toks, k)])
            k += 1
        value, j = value + float("0." + digits), k
    value, j = _half_suffix(toks, j, value)
    return _Num(i, j, value, spelled=True, article=article)


def _numbers(toks: Sequence[_Tok]) -> List[_Num]:
    """All numbers, left to right, without overlaps."""
    found: List[_Num] = []
    i = 0
    while i < len(toks):
        num = _number_at(toks, i)
        if num is None:
            i += 1
            continue
        found.append(num)
        i = max(num.end, i + 1)
    return found


def parse_number(text: str) -> Optional[float]:
    """The first number in the text, in digits ("6", "7.5", "6,5") or words ("twenty five")."""
    try:
        nums = _numbers(_tokens(text))
    except Exception:  # defensive: parsing must never break a conversation
        return None
    return nums[0].value if nums else None


# --------------------------------------------------------------------------- pain score

_UNIT_AFTER: FrozenSet[str] = frozenset({
    "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "mn",
    "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "wk", "wks", "week", "weeks",
    "fortnight", "fortnights", "mo", "mos", "month", "months", "y", "yr", "yrs", "year", "years",
    "night", "nights", "am", "pm", "oclock", "time", "times", "x", "rep", "reps", "set", "sets",
    "k", "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers", "mile", "miles", "mi",
    "metre", "metres", "meter", "meters", "step", "steps", "kg", "kgs", "kilo", "kilos", "lb",
    "lbs", "pound", "pounds", "stone", "mg", "ml", "pill", "pills", "tablet", "tablets", "laps",
    "lap", "lengths", "length", "floors", "flights", "%", "percent", "points", "point", "cm",
    "inch", "inches", "feet", "ft", "cups", "coffees", "cigarettes", "hundred", "thousand",
    "o", "noon", "midday", "yo", "st", "nd", "rd", "th",
})
_DEFINITE_BEFORE: FrozenSet[str] = frozenset({
    "for", "since", "until", "till", "til", "every", "day", "week", "month", "year", "aged",
    "age", "page", "step", "number", "no", "#", "£", "$", "€", "by", "x", "times", "after",
    "before", "ago", "past", "quarter", "half", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
_TOWARDS: FrozenSet[str] = frozenset({
    "down", "up", "dropped", "fell", "gone", "went", "back", "come", "came", "risen", "rose",
    "increased", "decreased", "improved",
})
_SOFT_BEFORE: FrozenSet[str] = frozenset({
    "at", "from", "walked", "walk", "swam", "cycled", "biked", "ran", "did", "done", "slept",
    "sleep", "got",
})
_FILLERS: FrozenSet[str] = frozenset({
    "about", "around", "roughly", "maybe", "probably", "like", "approximately", "approx",
    "perhaps", "say", "only", "just", "still", "~", "solid", "at", "a", "an", "prob",
    "definitely", "easily", "really", "more", "honestly", "right", "currently", "now",
})
_SCORE_BEFORE: FrozenSet[str] = frozenset({
    "score", "scored", "scoring", "rating", "rate", "rated", "rates", "level", "pain", "painscore",
    "is", "was", "it", "its", "feels", "feel", "felt", "hurts", "hurting", "now", "today",
    "currently", ":", "=", "be", "being", "sits", "sitting", "stands", "standing", "of", "to",
    "tonight", "morning", "m",
})
_SCORE_AFTER: FrozenSet[str] = frozenset({"today", "now", "atm", "currently", "tonight", "this", "right"})
_CURRENT: FrozenSet[str] = frozenset({"now", "currently", "atm"})
_DAY_PARTS: FrozenSet[str] = frozenset({"morning", "mornings", "afternoon", "evening", "evenings", "night"})
_RANGE_WORDS: FrozenSet[str] = frozenset({"-", "or", "to"})


def _over_ten(toks: Sequence[_Tok], j: int) -> bool:
    """'/10', '/ ten', 'out of 10', 'of ten' starting at j."""
    if _word(toks, j) == "/":
        return _word(toks, j + 1) in ("10", "ten")
    if _word(toks, j) == "out" and _word(toks, j + 1) == "of":
        return _word(toks, j + 2) in ("10", "ten")
    if _word(toks, j) == "of":
        return _word(toks, j + 1) in ("10", "ten")
    return False


def _previous_meaningful(toks: Sequence[_Tok], i: int) -> str:
    """The nearest earlier word that is not a filler ("about", "a", "at" ...)."""
    k = i - 1
    while k >= 0 and i - k <= 4 and toks[k].text in _FILLERS:
        k -= 1
    return _word(toks, k) if k >= 0 else ""


def _pain_tier(toks: Sequence[_Tok], num: _Num, end: int) -> float:
    """3: 'x/10', 2.5: 'now x', 2: clearly a score, 1: a bare number, 0: not a pain score."""
    before = _word(toks, num.start - 1)
    after = _word(toks, end)
    if num.ordinal or after in _UNIT_AFTER:
        return 0
    if num.spelled and num.value == 0.5 and not _over_ten(toks, end):
        return 0  # "half" on its own is not a score
    if before == "/" or (before == ":" and _word(toks, num.start - 2)[:1].isdecimal()):
        return 0  # the 10 of "4/10", the minutes of "7:30"
    if before == "of" and _word(toks, num.start - 2) == "out":
        return 0
    if _over_ten(toks, end):
        return 3
    if after in ("/", ":") and _word(toks, end + 1)[:1].isdecimal():
        return 0  # a date (12/05), a fraction (1/2) or a clock time (7:30)
    if num.decimals >= 2:
        return 0  # 7.30 is a time or a price
    if before == "to":  # "down to 5", "from 8 to 5" are scores; "quarter to 9" is not
        ahead = _word(toks, num.start - 2)
        if ahead in _TOWARDS or ahead[:1].isdecimal():
            return 2
        return 0
    if before in _DEFINITE_BEFORE:
        return 0
    if after == "and" and _word(toks, end + 1) == "a" and _word(toks, end + 2) in ("half", "quarter"):
        return 0
    k = num.start - 1
    while num.start - k <= 4 and _word(toks, k) in ("a", "an", "at", "about", "around", "maybe", "is", "it", "its"):
        k -= 1
    if _word(toks, k) in _CURRENT or after in _CURRENT:
        return 2.5  # "now a 4": the current score beats earlier ones
    strong = (
        num.article or before in ("a", "an")
        or _previous_meaningful(toks, num.start) in _SCORE_BEFORE
        or after in _SCORE_AFTER
    )
    if strong:
        return 2
    if before in _SOFT_BEFORE:
        return 0
    if after == "in" and _word(toks, end + 1) == "the" and _word(toks, end + 2) in _DAY_PARTS:
        return 0  # "8 in the evening"
    if after == "at" and _word(toks, end + 1) == "night":
        return 0
    if num.spelled and num.value == 1 and before in ("that", "this", "the", "which", "every", "any",
                                                    "left", "right", "other", "same", "first", "last",
                                                    "each", "another", "other", "no", "little", "good", "bad"):
        return 0  # "that one"
    if num.spelled and num.value == 1 and after == "of":
        return 0
    return 1


def parse_pain_score(text: str) -> Optional[float]:
    """A 0-10 pain score ("4/10", "a four", "about six out of ten", "7 today").

    Numbers that are durations, times, dates or counts ("walked 25 minutes",
    "at 8am", "for 3 weeks") are not scores. A range ("6-7", "6 or 7") gives its
    middle. Out of range -> None.
    """
    try:
        toks = _tokens(text)
        nums = _numbers(toks)
        best_tier: float = 0.0
        best: List[float] = []
        k = 0
        while k < len(nums):
            num = nums[k]
            value, end = num.value, num.end
            nxt = nums[k + 1] if k + 1 < len(nums) else None
            if (nxt is not None and nxt.start == end + 1 and _word(toks, end) in _RANGE_WORDS
                    and _word(toks, num.start - 1) != "from" and 0 <= value < nxt.value <= 10):
                value, end = (value + nxt.value) / 2, nxt.end
                k += 1
            tier = _pain_tier(toks, num, end)
            if tier > best_tier:
                best_tier, best = tier, [value]
            elif tier == best_tier and tier:
                best.append(value)
            k += 1
        for value in best:
            if 0 <= value <= 10:
                return value
        return None
    except Exception:
        return None


# --------------------------------------------------------------------------- durations

_SECOND_UNITS = frozenset({"s", "sec", "secs", "second", "seconds"})
_MINUTE_UNITS = frozenset({"m", "min", "mins", "minute", "minutes", "mn", "mns", "mts"})
_HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours", "hs"})
_DAY_UNITS: Dict[str, float] = {
    "d": 1, "day": 1, "days": 1, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
    "fortnight": 14, "fortnights": 14, "mo": 30, "mos": 30, "month": 30, "months": 30,
    "yr": 365, "yrs": 365, "year": 365, "years": 365,
}


def _quantity_at(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num]) -> Optional[Tuple[float, int]]:
    """A count before a unit: a number, "a"/"an", "a couple of", "a few", "several", "quarter"."""
    num = nums.get(i)
    w = _word(toks, i)
    if num is not None and not num.ordinal:
        value, j = num.value, num.end
        nxt = nums.get(j + 1)
        if (nxt is not None and _word(toks, j) in ("-", "to", "or") and not nxt.ordinal
                and value < nxt.value and _word(toks, i - 1) != "from"):
            value, j = (value + nxt.value) / 2, nxt.end
        if _word(toks, j) in ("quarter", "quarters"):  # "three quarters of an hour"
            value, j = value * 0.25, j + 1
            if _word(toks, j) == "of":
                j += 1
        if _word(toks, j) in ("a", "an") and value in (0.5, 0.75):  # "half an hour"
            j += 1
        return value, j
    k = i + 1 if w in ("a", "an") else i
    if _word(toks, k) == "couple":
        return 2.0, k + 2 if _word(toks, k + 1) == "of" else k + 1
    if _word(toks, k) == "few":
        return 3.0, k + 1
    if w == "several":
        return 3.0, i + 1
    if _word(toks, k) == "quarter":  # "a quarter of an hour", "quarter hour"
        j = k + 1
        if _word(toks, j) == "of":
            j += 1
        if _word(toks, j) in ("a", "an"):
            j += 1
        return 0.25, j
    if w in ("a", "an"):
        return 1.0, i + 1
    return None


def _minutes_at(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num]) -> Optional[Tuple[float, int]]:
    """A duration in minutes starting at token i -> (minutes, next index)."""
    qty = _quantity_at(toks, i, nums)
    if qty is None:
        return None
    value, j = qty
    unit = _word(toks, j)
    if unit in ("m", "s") and not _adjacent(toks, j - 1, j):
        return None  # "5 m" may be metres; only "15m" is minutes
    if unit in _SECOND_UNITS:
        return value / 60, j + 1
    if unit in _MINUTE_UNITS:
        return value, j + 1
    if unit not in _HOUR_UNITS:
        return None
    minutes, j = value * 60, j + 1
    half, k = _half_suffix(toks, j, 0.0)
    if k != j:
        return minutes + half * 60, k
    k = j + 1 if _word(toks, j) == "and" else j
    more = nums.get(k)
    if more is not None and not more.ordinal and not more.article and 0 < more.value < 60:
        if _word(toks, more.end) in _MINUTE_UNITS:  # "1 hour 15 minutes", "1h 15m"
            return minutes + more.value, more.end + 1
        if k == j and _adjacent(toks, j - 1, j) and not more.spelled:  # "1h15"
            return minutes + more.value, more.end
    return minutes, j


def _durations(toks: Sequence[_Tok]) -> List[Tuple[int, int, float]]:
    """Every duration as (start, end, minutes), skipping those that say when ("2 hours ago")."""
    nums = {n.start: n for n in _numbers(toks)}
    found: List[Tuple[int, int, float]] = []
    i = 0
    while i < len(toks):
        hit = _minutes_at(toks, i, nums)
        if hit is None:
            i += 1
            continue
        minutes, end = hit
        if minutes >= 0 and _word(toks, end) != "ago" and _word(toks, i - 1) not in ("every", "each", "per"):
            found.append((i, end, minutes))
        i = end
    return found


def parse_minutes(text: str) -> Optional[float]:
    """The first duration in minutes: "25 min", "half an hour", "1h 15m", "an hour and a half"."""
    try:
        found = _durations(_tokens(text))
    except Exception:
        return None
    return found[0][2] if found else None


def duration_spans(text: str) -> List[Tuple[int, int, float]]:
    """Every duration, read as parse_minutes reads the first, with where it is written:
    [(start, end, minutes)], character offsets into `text` as given, left to right.

    "swam for 20 min then walked 15 minutes" -> [(9, 15, 20.0), (28, 38, 15.0)].
    """
    if not isinstance(text, str) or not text:
        return []
    try:
        normalised, origin = _normalise_tracked(text)
        toks = _split(normalised)
        return [(origin[toks[start].start], origin[toks[end - 1].end - 1] + 1, minutes)
                for start, end, minutes in _durations(toks)]
    except Exception:
        return []


# --------------------------------------------------------------------------- clauses

_CLAUSE_BREAK = re.compile(r"[,;\n]|\band\b|\bbut\b|\.(?!\d)")


def clauses(text: str) -> List[Tuple[int, int]]:
    """The clauses of a message as (start, end) character offsets, split after a comma,
    semicolon, full stop, line break, "and" or "but": "back a 4, leg a 2" has two. Blank
    pieces are left out; a message of one clause is the whole text."""
    if not isinstance(text, str) or not text:
        return [(0, 0)]
    bounds = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(text)] + [len(text)]
    pieces = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    return pieces if len(pieces) > 1 else [(0, len(text))]


# --------------------------------------------------------------------------- onset

_WEEKDAYS: Dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3,
    "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}
_WEEKDAY_ABBREVIATIONS = frozenset(k for k in _WEEKDAYS if not k.endswith("day"))
_ONSET_WORDS: Dict[str, int] = {"today": 0, "tonight": 0, "yesterday": 1}
_LAST_UNITS: Dict[str, int] = {"night": 1, "week": 7, "month": 30, "year": 365}


def _days_back(today: date, weekday: int) -> int:
    """Days since the most recent past `weekday` (a whole week if it is today)."""
    return (today.weekday() - weekday) % 7 or 7


def _round_days(value: float) -> int:
    return int(math.floor(value + 0.5))


def _onset_at(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num],
              today: Optional[date]) -> Tuple[Optional[int], bool]:
    """(days, specific) for an onset expression at token i; (None, False) if none.

    "specific" expressions (a count of days/weeks, a weekday, "last week") beat
    vague ones ("today", "2 hours ago") wherever they appear in the message.
    """
    w = toks[i].text
    if w == "day" and _word(toks, i + 1) == "before" and _word(toks, i + 2) == "yesterday":
        return 2, True
    if w in ("last", "past", "previous") and _word(toks, i + 1) in _LAST_UNITS:
        return _LAST_UNITS[_word(toks, i + 1)], True
    if isinstance(today, date):
        if w in _WEEKDAYS and (w not in _WEEKDAY_ABBREVIATIONS
                               or _word(toks, i - 1) in ("since", "last", "on", "from")):
            return _days_back(today, _WEEKDAYS[w]), True
        if w == "weekend" and _word(toks, i - 1) in ("last", "the", "since"):
            return _days_back(today, 5), True
    if w in _ONSET_WORDS:
        return _ONSET_WORDS[w], False
    if w == "this" and _word(toks, i + 1) in ("morning", "afternoon", "evening"):
        return 0, False
    if _word(toks, i - 1) in ("every", "each", "per", "in"):
        return None, False  # "every 2 days", "in 2 weeks" are not an onset
    qty = _quantity_at(toks, i, nums)
    if qty is None:
        return None, False
    value, j = qty
    unit = _word(toks, j)
    if unit in _DAY_UNITS:
        extra, _ = _half_suffix(toks, j + 1, 0.0)  # "a month and a half"
        return max(0, _round_days((value + extra) * _DAY_UNITS[unit])), True
    if unit in _HOUR_UNITS or unit in ("min", "mins", "minute", "minutes"):
        return 0, False
    return None, False


def parse_days_since(text: str, today: Optional[date] = None) -> Optional[int]:
    """How many days ago something began: "3 weeks ago" -> 21, "yesterday" -> 1.

    Weekday names ("since monday", "last friday") need `today` and count back to
    the most recent such day; without `today` they are ignored.
    """
    try:
        toks = _tokens(text)
        nums = {n.start: n for n in _numbers(toks)}
        vague: Optional[int] = None
        for i in range(len(toks)):
            days, specific = _onset_at(toks, i, nums, today)
            if days is None:
                continue
            if specific:
                return days
            if vague is None:
                vague = days
        return vague
    except Exception:
        return None


# --------------------------------------------------------------------------- clock times

_PM_WORDS = frozenset({"pm", "evening", "evenings", "tonight", "night", "afternoon", "afternoons"})
_AM_WORDS = frozenset({"am", "morning", "mornings"})
_TIME_PREPOSITIONS = frozenset({"at", "around", "about", "by", "from", "until", "till", "til", "before", "after", "for", "@"})
_NAMED_TIMES: Dict[str, Tuple[int, int]] = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
_NOISE = frozenset({"at", "around", "about", "maybe", "please", "say", "ish", "approx", "approximately", "roughly"})


def _hour_at(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num]) -> Optional[Tuple[int, int]]:
    """A whole hour 0-23 at i -> (hour, next index)."""
    num = nums.get(i)
    if num is None or num.article or num.ordinal or num.value != int(num.value) or not 0 <= num.value <= 23:
        return None
    if not num.spelled and "." in toks[i].text:
        return None
    return int(num.value), num.end


def _day_part(toks: Sequence[_Tok], start: int, end: int) -> Optional[str]:
    """'am' or 'pm' from the nearest day-part word around the time expression."""
    best: Optional[Tuple[int, str]] = None
    for k, tok in enumerate(toks):
        if tok.text in _PM_WORDS or tok.text in _AM_WORDS:
            distance = start - k if k < start else k - end
            part = "night" if tok.text == "night" else ("pm" if tok.text in _PM_WORDS else "am")
            if best is None or distance < best[0]:
                best = (distance, part)
    return best[1] if best else None


def _with_day_part(hour: int, minute: int, part: Optional[str]) -> Optional[time]:
    if part == "am" and hour == 12:
        hour = 0
    elif part == "pm" and hour < 12:
        hour += 12
    elif part == "night":
        if hour == 12:
            hour = 0
        elif 5 <= hour < 12:
            hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _relative_clock(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num]) -> Optional[Tuple[int, int, int, Optional[str]]]:
    """"half past seven", "quarter to 9", "twenty past six", "ten to 7", "half seven"."""
    w = _word(toks, i)
    num = nums.get(i)
    if w == "half":
        lead, j = 30, i + 1
    elif w == "quarter":
        lead, j = 15, i + 1
    elif w == "a" and _word(toks, i + 1) == "quarter":
        lead, j = 15, i + 2
    elif (num is not None and not num.article and not num.ordinal
          and num.value == int(num.value) and 1 <= num.value <= 30):
        if _word(toks, i - 1) in ("from", "between"):
            return None  # "from 5 to 7" is a span of hours
        lead, j = int(num.value), num.end
        if _word(toks, j) in ("minutes", "mins", "min"):
            j += 1
    else:
        return None
    relation = _word(toks, j)
    if relation in ("past", "after", "to", "til", "till"):
        hour = _hour_at(toks, j + 1, nums)
        if hour is None or not 1 <= hour[0] <= 12:
            return None
        h, end = hour
        if _word(toks, end) in _UNIT_AFTER and _word(toks, end) not in ("am", "pm", "oclock"):
            return None  # "1 to 2 hours"
        if relation in ("past", "after"):
            return h, lead, end, None
        return (h - 1) or 12, 60 - lead, end, None
    if w == "half" and j == i + 1:  # British "half seven" = 7:30
        hour = _hour_at(toks, j, nums)
        if hour is not None and 1 <= hour[0] <= 12:
            after = _word(toks, hour[1])
            if after not in _UNIT_AFTER or after in ("am", "pm"):
                return hour[0], 30, hour[1], None
    return None


def _clock_at(toks: Sequence[_Tok], i: int, nums: Dict[int, _Num], alone: bool) -> Optional[Tuple[int, int, int, Optional[str]]]:
    """A time expression at i -> (hour, minute, end, explicit am/pm or None)."""
    w = _word(toks, i)
    if w in _NAMED_TIMES:
        hour, minute = _NAMED_TIMES[w]
        return hour, minute, i + 1, "am" if w == "midnight" else "pm"
    relative = _relative_clock(toks, i, nums)
    if relative is not None:
        return relative
    tok = toks[i]
    # digits with a colon or a two-digit decimal: 7:30, 19:00, 7.30pm
    if tok.is_num and _word(toks, i + 1) == ":" and _adjacent(toks, i, i + 1) and _adjacent(toks, i + 1, i + 2):
        minutes = _word(toks, i + 2)
        if len(minutes) == 2 and minutes.isdecimal() and len(tok.text) <= 2 and tok.text.isdecimal():
            explicit = _word(toks, i + 3) if _word(toks, i + 3) in ("am", "pm") else None
            return int(tok.text), int(minutes), i + (4 if explicit else 3), explicit
    if tok.is_num and "." in tok.text:
        head, _, tail = tok.text.partition(".")
        if len(tail) == 2 and len(head) <= 2 and int(tail) < 60:
            explicit = _word(toks, i + 1) if _word(toks, i + 1) in ("am", "pm") else None
            before = _word(toks, i - 1)
            if explicit or before in _TIME_PREPOSITIONS or alone:
                return int(head), int(tail), i + (2 if explicit else 1), explicit
        return None
    if tok.is_num and len(tok.text) in (3, 4) and tok.text.isdecimal():  # 0730, 730pm
        explicit = _word(toks, i + 1) if _word(toks, i + 1) in ("am", "pm") else None
        if explicit or _word(toks, i - 1) in _TIME_PREPOSITIONS:
            hour, minute = int(tok.text[:-2]), int(tok.text[-2:])
            if hour <= 23 and minute <= 59:
                return hour, minute, i + (2 if explicit else 1), explicit
        return None
    hour = _hour_at(toks, i, nums)
    if hour is None:
        return None
    h, j = hour
    minute = 0
    nxt = nums.get(j)
    if (nxt is not None and not nxt.article and nxt.value == int(nxt.value) and 0 <= nxt.value <= 59
            and (nxt.spelled or len(toks[j].text) == 2)):
        minute_candidate, after_minute = int(nxt.value), nxt.end
    else:
        minute_candidate, after_minute = None, j
    if _word(toks, j) == "oh" and _word(toks, j + 1) in _UNITS:  # "seven oh five"
        minute_candidate, after_minute = _UNITS[_word(toks, j + 1)], j + 2
    k = after_minute if minute_candidate is not None else j
    after = _word(toks, k)
    if after in ("am", "pm"):
        return h, minute_candidate or 0, k + 1, after
    if after in ("noon", "midday"):
        return h, minute_candidate or 0, k + 1, "pm"
    if after == "oclock":
        return h, minute, k + 1, None
    if after == "in" and _word(toks, k + 1) == "the" and _word(toks, k + 2) in _DAY_PARTS:
        return h, minute_candidate or 0, k + 3, None
    if after in ("tonight", "this") or (after == "at" and _word(toks, k + 1) == "night"):
        return h, minute_candidate or 0, k, None
    if after in _UNIT_AFTER or after in _HOUR_UNITS or after in _MINUTE_UNITS:
        return None
    if _word(toks, i - 1) in _TIME_PREPOSITIONS or alone:
        return h, minute_candidate or 0, k, None
    return None


def _clock_hits(toks: Sequence[_Tok]) -> Iterator[Tuple[int, int, Optional[time], Optional[str]]]:
    """Each time expression, left to right: (start, end, time or None if impossible, am/pm/night used)."""
    nums = {n.start: n for n in _numbers(toks)}
    meaningful = [t for t in toks if t.text not in _NOISE and (t.is_num or t.text[0].isalpha())]
    alone = len(meaningful) == 1 and meaningful[0].is_num
    for i in range(len(toks)):
        hit = _clock_at(toks, i, nums, alone)
        if hit is None:
            continue
        hour, minute, end, explicit = hit
        if hour > 12:
            yield i, end, _with_day_part(hour, minute, None), None
        else:
            part = explicit or _day_part(toks, i, end)
            yield i, end, _with_day_part(hour, minute, part), part


def parse_clock_time(text: str) -> Optional[time]:
    """A time of day: "8am", "at 7:30", "19:00", "8 in the evening", "quarter to 9".

    Without am/pm a time is read as morning unless the text says evening,
    afternoon, tonight or night.
    """
    try:
        for _, _, at, _ in _clock_hits(_tokens(text)):
            return at
        return None
    except Exception:
        return None


MAX_CLOCK_TIMES = 20  # a message never names more; the cap keeps 100k characters fast


def clock_times(toks: Sequence[_Tok]) -> List[Tuple[int, int, time, Optional[str]]]:
    """Every time of day in tokens from `_tokens`, read as parse_clock_time reads the first.

    -> [(first token, one past the last token, time, "am"/"pm"/"night" as written or
    implied by a nearby day-part word, or None when nothing said which)], left to right.
    """
    found: List[Tuple[int, int, time, Optional[str]]] = []
    after = 0
    try:
        for start, end, at, part in _clock_hits(toks):
            if start >= after and at is not None:
                found.append((start, end, at, part))
                after = end
                if len(found) >= MAX_CLOCK_TIMES:
                    break
    except Exception:
        pass
    return found


def day_counts(toks: Sequence[_Tok]) -> List[Tuple[int, int, int]]:
    """Every count of days in tokens from `_tokens`: "a week" 7, "3 days", "two weeks" 14,
    "a fortnight" 14, "a couple of days" 2, "a month" 30 -> [(start, end, days)]."""
    found: List[Tuple[int, int, int]] = []
    try:
        nums = {n.start: n for n in _numbers(toks)}
        i = 0
        while i < len(toks):
            qty = _quantity_at(toks, i, nums)
            if qty is not None and _word(toks, qty[1]) in _DAY_UNITS:
                value, j = qty
                extra, end = _half_suffix(toks, j + 1, 0.0)  # "a week and a half"
                found.append((i, end, max(0, _round_days((value + extra) * _DAY_UNITS[_word(toks, j)]))))
                i = end
                continue
            i += 1
    except Exception:
        pass
    return found


WEEKDAYS: Dict[str, int] = dict(_WEEKDAYS)  # "monday"/"mon" ... -> 0-6, as date.weekday()


# --------------------------------------------------------------------------- sleep

_NEGATORS = frozenset({"not", "no", "never", "nothing", "without"})
_NEGATION_BREAKS = frozenset({"but", "though", "although", "however", "yet", "and", "then", "so"})
_STRONG_GOOD = frozenset({
    ("great",), ("brilliant",), ("excellent",), ("fantastic",), ("amazing",), ("wonderful",),
    ("perfect",), ("perfectly",), ("best",), ("like", "a", "log"), ("like", "a", "baby"),
})
_SLEEP_ANCHORS = frozenset({
    "sleep", "slept", "sleeping", "night", "asleep", "woke", "wake", "waking", "awake", "bed",
    "kip", "rest", "rested", "nap",
})


def _phrases(quality: Optional[str], *phrases: str) -> Dict[Tuple[str, ...], Optional[str]]:
    return {tuple(p.split()): quality for p in phrases}


_SLEEP_PHRASES: Dict[Tuple[str, ...], Optional[str]] = {
    **_phrases(
        "bad", "badly", "bad", "terrible", "terribly", "awful", "awfully", "horrible", "horribly",
        "dreadful", "dreadfully", "poorly", "poor", "rubbish", "crap", "crappy", "shocking", "rough",
        "restless", "broken", "disturbed", "insomnia", "sleepless", "lousy", "worst", "worse",
        "barely slept", "hardly slept", "barely any sleep", "hardly any sleep", "barely sleep",
        "hardly sleep", "tossed and turned", "tossing and turning", "toss and turn", "kept waking",
        "kept waking up", "woke up a lot", "woke a lot", "kept me up", "kept me awake",
        "up all night", "awake all night", "awake most of the night", "no sleep", "not sleep",
        "not much sleep", "not enough", "not enough sleep", "little sleep", "hardly any",
        "barely any", "zero sleep", "not get to sleep", "not get any sleep", "not fall asleep",
        "not stay asleep", "not get back to sleep", "not go back to sleep", "not get back asleep",
        "exhausted", "knackered", "nightmare",
    ),
    **_phrases(
        "ok", "ok", "okay", "okish", "alright", "all right", "so so", "meh", "fine", "average",
        "fair", "fairly", "not bad", "not too bad", "not that bad", "not great", "not brilliant",
        "not the best", "not amazing", "could be better", "could have been better",
        "could ve been better", "on and off", "mixed", "decent", "reasonable", "reasonably",
        "patchy", "middling", "not terrible", "not awful", "so and so", "up and down",
    ),
    **_phrases(
        "good", "good", "well", "great", "like a log", "like a baby", "like a rock", "brilliant",
        "excellent", "fantastic", "amazing", "wonderful", "perfect", "perfectly", "soundly",
        "deeply", "solid", "solidly", "restful", "rested", "refreshed", "slept through",
        "through the night", "better", "nice", "lovely", "peaceful", "peacefully", "best",
        "good night", "really well",
    ),
    # phrases that contain a quality word but are not about sleep quality
    **_phrases(None, "as well", "good morning", "good afternoon", "good evening", "feel well",
               "oh well", "well done"),
}
_SLEEP_LONGEST = max(len(k) for k in _SLEEP_PHRASES)
_FLIP = {"good": "bad", "ok": "bad", "bad": "ok"}


def _negated(toks: Sequence[_Tok], start: int) -> bool:
    for k in range(start - 1, max(-1, start - 4), -1):
        w = toks[k].text
        if w in _NEGATORS:
            return True
        if w in _NEGATION_BREAKS or not (w[0].isalnum()):
            return False
    return False


def _sleep_quality(toks: Sequence[_Tok]) -> Optional[str]:
    words = [t.text for t in toks]
    matches: List[Tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for size in range(min(_SLEEP_LONGEST, len(words) - i), 0, -1):
            key = tuple(words[i:i + size])
            if key in _SLEEP_PHRASES:
                quality = _SLEEP_PHRASES[key]
                if quality is not None:
                    if key[0] not in _NEGATORS and _negated(toks, i):
                        quality = "ok" if key in _STRONG_GOOD else _FLIP[quality]
                    matches.append((i, i + size, quality))
                i += size
                break
        else:
            i += 1
    if not matches:
        return None
    anchors = [k for k, w in enumerate(words) if w in _SLEEP_ANCHORS]
    if not anchors:
        return matches[0][2]

    def distance(match: Tuple[int, int, str]) -> int:
        start, end, _ = match
        return min(0 if start <= a < end else (start - a if a < start else a - end + 1) for a in anchors)

    return min(matches, key=distance)[2]  # min keeps the earliest of equal distances


_AWAKE_BEFORE = frozenset({"awake", "took", "nap", "napped", "napping", "lay", "lying", "walk", "walked"})


def _sleep_hours(toks: Sequence[_Tok]) -> Optional[float]:
    for start, _, minutes in _durations(toks):
        window = [toks[k].text for k in range(max(0, start - 3), start)]
        if any(w in _AWAKE_BEFORE for w in window):
            continue
        if minutes < 24 * 60:
            return round(minutes / 60, 2)
    nums = _numbers(toks)
    for num in nums:  # "slept 5", "only got 6"
        before = _previous_meaningful(toks, num.start)
        if (before in ("slept", "got", "managed", "sleep") and not num.ordinal
                and 0 < num.value <= 16 and _word(toks, num.end) not in _UNIT_AFTER):
            return num.value
    return None


def parse_sleep(text: str) -> Tuple[Optional[str], Optional[float]]:
    """(quality good/ok/bad, hours) from a sleep report; either may be None.

    Negation flips a quality ("didn't sleep well" -> bad, "not bad" -> ok).
    Under six hours with no quality words counts as a bad night.
    """
    try:
        toks = _tokens(text)
        quality = _sleep_quality(toks)
        hours = _sleep_hours(toks)
    except Exception:
        return None, None
    if quality is None and hours is not None and hours < 6:
        quality = "bad"
    return quality, hours
