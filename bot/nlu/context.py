"""Whose finding is it, and is it real? Negation and context scoping on spaCy tokens.

A NegEx-style scoper written for chat about back pain. A finding (a span of a
Doc) gets one status:

- ``affirmed``: the speaker has it now ("my legs are numb");
- ``negated``: denied ("no numbness", "legs aren't weak", "bladder fine");
- ``resolved``: it was there and has gone ("the tingling has gone");
- ``third_party``: about someone or something else ("my friend had...",
  "a film about a car crash");
- ``hypothetical``: a question or a what-if ("what are the warning signs?",
  "what should I do if my legs go numb?").

Triggers only count outside the finding itself, so the words of a red flag
("can't control my bladder", "don't want to live") never negate it. "can't"
and "couldn't" are not negations here: in this domain they describe the symptom.
Pure: a Doc in, a status out.
"""
from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Optional, Sequence

from spacy.tokens import Doc, Span, Token

# The status names live in the spaCy-free bot.nlu.schema; re-exported here.
from bot.nlu.schema import (  # noqa: F401
    AFFIRMED, HYPOTHETICAL, NEGATED, RESOLVED, STATUSES, THIRD_PARTY,
)

NEGATION_SCOPE = 6  # tokens a pre-negation reaches forward
POST_WINDOW = 5  # tokens after a finding that a "fine"/"normal" may sit
RESOLUTION_WINDOW = 10  # "the night pain I had in the first few days has settled"

_PRE_NEGATIONS: FrozenSet[str] = frozenset({
    "no", "not", "never", "without", "none", "nor", "neither", "nothing", "zero", "denies", "deny",
    "nope", "free", "nah", "non",
})
# "n't" only negates after these; after "ca"/"could"/"wo" it describes inability.
_NEGATABLE_AUX: FrozenSet[str] = frozenset({
    "do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "am", "should", "would",
    "need", "ai",
})
# Phrases that contain a negation word but negate nothing after them.
_PSEUDO_NEGATIONS: Sequence[Sequence[str]] = (
    ("not", "sure"), ("no", "idea"), ("not", "only"), ("not", "just"), ("no", "doubt"),
    ("do", "not", "know"), ("does", "not", "know"), ("did", "not", "know"), ("not", "certain"),
    ("no", "reason"), ("no", "point"), ("no", "way"), ("not", "stop"), ("no", "matter"),
    ("not", "want"), ("do", "not", "want"), ("nothing", "helps"), ("nothing", "works"),
    ("not", "getting", "better"), ("not", "improving"), ("not", "easing"), ("not", "eased"),
    ("not", "trying"), ("without", "trying"), ("not", "dieting"), ("without", "dieting"),
    ("not", "help"), ("not", "helping"), ("not", "better"),
)
_POST_NEGATIONS: FrozenSet[str] = frozenset({
    "fine", "ok", "okay", "normal", "alright", "unaffected", "intact", "good", "grand", "perfect",
})
_POST_NEGATION_PHRASES: Sequence[Sequence[str]] = (
    ("all", "good"), ("no", "problem"), ("no", "problems"), ("no", "issue"), ("no", "issues"),
    ("not", "a", "problem"), ("not", "an", "issue"), ("working", "normally"), ("working", "fine"),
    ("as", "usual"), ("all", "right"), ("not", "hurt"), ("not", "hurting"), ("not", "sore"),
    ("not", "painful"), ("not", "bother"), ("not", "bothering"), ("not", "affected"),
)
_RESOLUTION_PHRASES: Sequence[Sequence[str]] = (
    ("went", "away"), ("gone", "away"), ("going", "away"), ("cleared", "up"), ("clearing", "up"),
    ("wore", "off"), ("worn", "off"), ("back", "to", "normal"), ("no", "longer"),
    ("not", "anymore"), ("not", "any", "more"), ("settled", "down"), ("died", "down"),
    ("sorted", "itself"), ("sorted", "out"), ("turned", "out"), ("all", "clear"), ("not", "come", "back"),
    ("not", "came", "back"), ("never", "came", "back"), ("not", "returned"), ("been", "removed"),
    ("was", "removed"), ("got", "removed"), ("is", "gone"), ("full", "recovery"), ("fully", "recovered"),
    ("better", "now"), ("fully", "better"), ("all", "better"), ("nothing", "serious"),
    ("nothing", "to", "worry", "about"), ("long", "gone"),
)
_RESOLUTION_WORDS: FrozenSet[str] = frozenset({
    "disappeared", "resolved", "cleared", "passed", "vanished", "subsided", "removed", "benign",
    "harmless", "recovery", "lipoma", "cyst",
})
# "gone"/"went" only resolve when nothing symptom-like follows ("gone numb" is new).
_GONE_FOLLOWERS: FrozenSet[str] = frozenset({
    "a", "last", "weeks", "days", "ages", "months", "recently", "through", "sleeping",
    "away", "now", "completely", "totally", "entirely", "off", "and", "but", "since", "today",
    "yesterday", "thankfully", "though", "again", "for", "after", "overnight", "already",
})
# What may stand between a clause break and the word that resolves an earlier finding.
_FILLER_SUBJECTS: FrozenSet[str] = frozenset({
    "it", "'s", "is", "they", "'ve", "have", "has", "'re", "are", "all", "now", "that", "those",
    "thankfully", "completely", "totally", "pretty", "much", "mostly", "and", "both", "everything",
    "was", "were", "been", "seems", "seem", "to", "be", "got", "get", "had", "luckily", "since",
    "then", "but", "its", "s", "ve", "re", "feel", "feels", "felt", "back", "again", "fully",
    "finally", "a", "few", "days", "weeks", "ago", "later", "after", "the", "antibiotics", "checked",
    "at", "by", "doctor", "gp", "a&e", "hospital", "said", "say", "says", "which", "this", "so", "well",
    "am", "i", "'m", "m", "good", "cleared", "up", "long", "made", "right", "just",
})
_PRE_RESOLUTION: Sequence[Sequence[str]] = (
    ("used", "to"), ("no", "longer"), ("not", "anymore"), ("previously",), ("earlier",),
    ("thought", "i"), ("thought", "it", "was"), ("worried", "it", "was"),
)
_CLAUSE_BREAKS: FrozenSet[str] = frozenset({
    ",", ".", ";", ":", "!", "?", "-", "--", "(", ")", "but", "however", "although", "though",
    "except", "yet", "apart", "aside", "still", "whereas", "while", "which", "who", "because",
    "cos", "cause", "since", "so", "just", "only", "instead",
})
_SUBJECTS_AFTER_AND: FrozenSet[str] = frozenset({
    "i", "my", "it", "its", "he", "she", "they", "we", "you", "there", "the", "this", "that", "now",
    "me", "im", "ive",
})

FIRST_PERSON: FrozenSet[str] = frozenset({"i", "me", "my", "myself", "mine", "im", "ive", "id", "ill"})
_OTHER_PEOPLE: FrozenSet[str] = frozenset({
    "he", "she", "they", "him", "her", "his", "hers", "their", "them", "friend", "friends", "mum",
    "mom", "mother", "dad", "father", "husband", "wife", "partner", "boyfriend", "girlfriend",
    "brother", "sister", "son", "daughter", "aunt", "auntie", "uncle", "gran", "granny", "grandma",
    "grandad", "granddad", "grandpa", "grandmother", "grandfather", "nan", "nana", "cousin",
    "colleague", "coworker", "neighbour", "neighbor", "boss", "someone", "somebody", "people",
    "patient", "patients", "man", "woman", "guy", "lady", "kid", "kids", "child", "children",
    "baby", "family", "relative", "relatives", "niece", "nephew", "flatmate", "roommate", "mate",
    "pal", "buddy", "fiance", "fiancee", "stepdad", "stepmum", "stepmom", "inlaw", "folks",
    "parents", "parent", "teammate", "teacher", "client", "uncles", "aunts",
    "everyone", "anyone", "others", "person", "sis", "bro", "hubby", "missus", "grandparents",
})
_TOPICS: FrozenSet[str] = frozenset({
    "film", "movie", "news", "book", "article", "story", "video", "documentary", "podcast", "tv",
    "telly", "novel", "leaflet", "forum", "reddit", "google", "googled", "googling", "heard",
})
# Animals only count as someone else when they own the finding: "my dog's leg", not "bird dog".
_PETS: FrozenSet[str] = frozenset({"dog", "cat", "puppy", "horse", "pony", "kitten", "pet"})
_QUESTION_OPENERS: FrozenSet[str] = frozenset({
    "what", "whats", "when", "how", "why", "which", "who", "where", "is", "are", "can", "could",
    "should", "would", "do", "does", "did", "will", "might", "may", "shall", "isnt", "any",
})
_CONDITIONALS: FrozenSet[str] = frozenset({"if", "whether", "unless", "suppose", "supposing", "incase"})
_INFO_FRAMES: Sequence[Sequence[str]] = (
    ("signs", "of"), ("sign", "of"), ("symptoms", "of"), ("symptom", "of"), ("warning", "signs"),
    ("red", "flags"), ("red", "flag"), ("risk", "of"), ("what", "is"), ("what", "'s"),
    ("what", "are"), ("what", "does"), ("how", "do", "i", "know"), ("how", "would", "i", "know"),
    ("how", "can", "i", "tell"), ("is", "it", "possible"), ("tell", "me", "about"),
    ("in", "case"), ("what", "if"), ("what", "happens"), ("when", "should"), ("should", "i", "worry"),
    ("do", "i", "need", "to", "worry"), ("is", "it", "serious"), ("look", "out", "for"),
    ("watch", "out", "for"), ("watch", "for"), ("cause", "of"), ("can", "back", "pain"),
    ("could", "back", "pain"), ("does", "back", "pain"), ("mean", "?"),
)
# First-person present state: "I have", "I can't", "my legs are", "wakes me".
_STATE_AFTER_I: FrozenSet[str] = frozenset({
    "have", "'ve", "ve", "got", "am", "'m", "m", "ca", "can", "cannot", "could", "feel", "keep",
    "lost", "been", "noticed", "started", "had", "do", "did", "was", "wet", "just", "think",
    "suddenly", "now", "also", "still", "peed", "pooed", "fell",
})


_STATE_VERBS: FrozenSet[str] = frozenset({
    "is", "are", "'s", "s", "feels", "feel", "has", "have", "keeps", "keep", "went", "gone", "been",
    "was", "were", "goes", "go", "gets", "get", "getting", "seems", "looks", "wo", "ca", "can", "will",
    "wont", "started", "starts", "became", "turned", "not", "n't",
})


def _norm(tok: Token) -> str:
    return tok.norm_


def _words(doc: Doc, start: int, end: int) -> list:
    return [doc[i].norm_ for i in range(max(start, 0), min(end, len(doc)))]


def _has_phrase(norms: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(norms[i:i + n]) == tuple(phrase) for i in range(len(norms) - n + 1))


def _starts_with(doc: Doc, i: int, phrase: Sequence[str]) -> bool:
    """The words from token i on are `phrase` (checked word by word: the reader asks this
    about a hundred times per message, mostly of a phrase whose first word differs)."""
    if i < 0 or i + len(phrase) > len(doc):
        return False
    return all(doc[i + k].norm_ == word for k, word in enumerate(phrase))


def _is_break(doc: Doc, i: int) -> bool:
    """A token that ends a clause for scoping; "and"/"or" only before a new subject."""
    norm = doc[i].norm_
    if norm in ("-", "--"):  # a dash between spaces, not the hyphen of "long-term"
        return i == 0 or bool(doc[i - 1].whitespace_)
    if norm in _CLAUSE_BREAKS:
        return True
    if norm in ("and", "or", "&", "plus", "also"):
        return i + 1 < len(doc) and doc[i + 1].norm_ in _SUBJECTS_AFTER_AND
    return False


def _is_pre_negation(doc: Doc, i: int) -> bool:
    tok = doc[i]
    norm = tok.norm_
    if norm == "not" and tok.text.lower() in ("n't", "nt", "n’t"):
        return i > 0 and doc[i - 1].norm_ in _NEGATABLE_AUX
    if norm not in _PRE_NEGATIONS and not (norm == "not" and tok.lower_ == "not"):
        return False
    if norm == "free" and not _starts_with(doc, i, ("free", "of")):
        return False
    for phrase in _PSEUDO_NEGATIONS:
        for offset in range(len(phrase)):
            if phrase[offset] == norm and _starts_with(doc, i - offset, phrase):
                return False
    if norm == "not" and i > 0 and doc[i - 1].norm_ in ("can", "could", "will", "would") \
            and doc[i - 1].lower_ in ("ca", "can", "could", "wo", "cannot"):
        return False  # "can not feel": the symptom itself
    return True


def _breaks(doc: Doc) -> tuple:
    """For each token, the nearest clause break at or after it and the nearest before it,
    worked out once per Doc (a long message has many findings, each scoped by its clause)."""
    key = "coach_context_breaks"
    if key not in doc.user_data:
        n = len(doc)
        is_break = [_is_break(doc, i) for i in range(n)]
        next_break, previous_break = [n] * (n + 1), [-1] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_break[i] = i if is_break[i] else next_break[i + 1]
        for i in range(1, n + 1):
            previous_break[i] = i - 1 if is_break[i - 1] else previous_break[i - 1]
        doc.user_data[key] = (next_break, previous_break)
    return doc.user_data[key]


def _clause_start(doc: Doc, i: int, floor: int) -> int:
    """The first token of i's clause (not before floor)."""
    if i <= floor:
        return i
    return max(floor, _breaks(doc)[1][i] + 1)


def _clause_end(doc: Doc, i: int, ceiling: int) -> int:
    """The clause break that ends i's clause (or ceiling)."""
    if i >= ceiling:
        return i
    return min(ceiling, _breaks(doc)[0][i])


def _negated_before(doc: Doc, span: Span, floor: int, others: Sequence[Span] = ()) -> bool:
    """A negation shortly before, in the same clause, that is not part of another
    finding ("no feeling in my backside": the "no" belongs to "no feeling")."""
    start = _clause_start(doc, span.start, floor)
    for i in range(max(start, span.start - NEGATION_SCOPE), span.start):
        if _is_pre_negation(doc, i) and not any(o.start <= i < o.end for o in others):
            return True
    return False


# "can't" / "couldn't" / "cannot" before an activity: it was not done ("couldn't walk today").
# For a symptom the same words describe the symptom, so _is_pre_negation leaves them out.
_UNABLE_AUX = ("ca", "can", "could")
# ... unless the words after limit how much, not whether: "couldn't walk far, only 10 minutes".
_EXTENT_AFTER = frozenset({"far", "long", "much", "very", "for", "more", "as", "quite", "that"})


def unable_before(doc: Doc, span: Span) -> bool:
    """An activity the speaker says they could not do, in the same clause before it."""
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    if span.end < len(doc) and doc[span.end].norm_ in _EXTENT_AFTER:
        return False
    start = _clause_start(doc, span.start, sent.start)
    for i in range(max(start + 1, span.start - NEGATION_SCOPE), span.start):
        if doc[i].norm_ == "not" and doc[i - 1].lower_ in _UNABLE_AUX:
            return True
    return False


def _negated_after(doc: Doc, span: Span, ceiling: int, others: Iterable[Span]) -> bool:
    end = min(_clause_end(doc, span.end, ceiling), span.end + POST_WINDOW)
    blockers = [o.start for o in others if span.end <= o.start < end]
    if blockers:
        end = min(blockers)
    for i in range(span.end, end):
        norm = doc[i].norm_
        hit = norm in _POST_NEGATIONS or any(_starts_with(doc, i, p) for p in _POST_NEGATION_PHRASES)
        if hit and not (i > 0 and _is_not(doc[i - 1])):
            return True
    return False


def _is_not(tok: Token) -> bool:
    return tok.norm_ in ("not", "never", "no")


def _resolution_at(doc: Doc, i: int, fine_counts: bool) -> bool:
    norm = doc[i].norm_
    if norm in _RESOLUTION_WORDS or any(_starts_with(doc, i, p) for p in _RESOLUTION_PHRASES):
        return True
    if fine_counts and (norm in _POST_NEGATIONS or _starts_with(doc, i, ("all", "clear"))):
        return not (i > 0 and _is_not(doc[i - 1]))
    if norm in ("gone", "went", "stopped", "finished", "settled", "recovered", "healed"):
        after = doc[i + 1].norm_ if i + 1 < len(doc) else "."
        return after in _GONE_FOLLOWERS or after in _CLAUSE_BREAKS or norm in ("recovered", "healed")
    return False


_LONG_AGO = re.compile(r"\b(?:(?:19|20)\d\d|years? ago|last year|as a (?:kid|child|teenager)|"
                       r"when i was (?:young|little|a kid|a child|a teenager))\b")


def _long_ago(doc: Doc, span: Span, floor: int, ceiling: int) -> bool:
    """Placed years back in its clause ("a car accident back in 2012"): history, not now."""
    start, end = _clause_start(doc, span.start, floor), _clause_end(doc, span.end, ceiling)
    return bool(_LONG_AGO.search(doc[start:end].text.lower()))


def _resolved_later(doc: Doc, span: Span, ceiling: int) -> bool:
    """"had chills last week but they've gone", "a fever at the weekend, cleared up now":
    a later clause may resolve the finding if it brings no new subject of its own."""
    i = _clause_end(doc, span.end, ceiling)
    for _ in range(3):  # look at most three clauses ahead
        if i >= ceiling:
            return False
        i += 1
        while i < ceiling and not _is_break(doc, i):
            if _resolution_at(doc, i, fine_counts=True):
                return True
            if doc[i].norm_ not in _FILLER_SUBJECTS and not doc[i].like_num:
                break
            i += 1
        i = _clause_end(doc, i, ceiling)
    return False


def _resolved(doc: Doc, span: Span, floor: int, ceiling: int) -> bool:
    end = min(_clause_end(doc, span.end, ceiling), span.end + RESOLUTION_WINDOW)
    for i in range(span.end, end):
        if _resolution_at(doc, i, fine_counts=False):
            return True
    if _resolved_later(doc, span, ceiling) or _long_ago(doc, span, floor, ceiling):
        return True
    start = _clause_start(doc, span.start, floor)
    before = _words(doc, max(start, span.start - NEGATION_SCOPE), span.start)
    return any(_has_phrase(before, p) for p in _PRE_RESOLUTION)


_AUXILIARIES: FrozenSet[str] = frozenset({
    "has", "have", "had", "'s", "s", "'ve", "ve", "is", "was", "were", "are", "am", "'m", "m", "been",
    "be", "'d", "d", "got", "get", "gets",
})
_VERB_GROUP_ADVERBS: FrozenSet[str] = frozenset({"just", "only", "still", "recently", "also"})


def _adverb_in_verb_group(doc: Doc, i: int) -> bool:
    """'my dad has just been diagnosed': "just" sits inside a verb group, it starts no clause."""
    if doc[i].norm_ not in ("just", "only", "still"):
        return False
    j = i
    while j > 0 and doc[j - 1].norm_ in _VERB_GROUP_ADVERBS:
        j -= 1
    return j > 0 and doc[j - 1].norm_ in _AUXILIARIES


def _subject_clause_start(doc: Doc, i: int, floor: int) -> int:
    """Like _clause_start, but a verb group's "just"/"only"/"still" keeps its subject."""
    while i > floor and (not _is_break(doc, i - 1) or _adverb_in_verb_group(doc, i - 1)):
        i -= 1
    return i


_PLACE_PREPOSITIONS: FrozenSet[str] = frozenset({
    "on", "in", "of", "near", "by", "at", "over", "down", "across", "from", "around", "under", "above", "below",
})
_MY_BODY: FrozenSet[str] = frozenset({
    "back", "spine", "lower", "upper", "low", "bum", "bottom", "backside", "buttock", "buttocks", "hip",
    "hips", "side", "neck", "body", "skin", "tailbone", "coccyx", "leg", "legs", "groin", "ribs", "shoulder",
    "shoulders", "waist", "belly", "tummy", "stomach", "chest", "thigh", "thighs",
})


def _on_my_body(doc: Doc, span: Span, ceiling: int) -> bool:
    """'my wife noticed a lump on my back': the finding sits on the speaker's body, whoever saw it."""
    end = min(_clause_end(doc, span.end, ceiling), span.end + 4)
    for i in range(span.start + 1, end - 1):
        if doc[i].norm_ == "my" and doc[i - 1].norm_ in _PLACE_PREPOSITIONS and doc[i + 1].norm_ in _MY_BODY:
            return True
    return False


def _third_party(doc: Doc, span: Span, floor: int, ceiling: Optional[int] = None) -> bool:
    """The nearest person mentioned before the finding, in its clause, is not the speaker
    (unless the finding is placed on the speaker's own body)."""
    ceiling = len(doc) if ceiling is None else ceiling
    if _on_my_body(doc, span, ceiling):
        return False
    floor = _subject_clause_start(doc, span.start, floor)
    for i in range(span.start - 1, floor - 1, -1):
        norm = doc[i].norm_.strip("'")
        if norm in _OTHER_PEOPLE or norm in _TOPICS:
            return True
        if norm in _PETS and i + 1 < len(doc) and doc[i + 1].norm_ in ("'s", "s", "has", "had", "is", "was"):
            return True
        if norm in FIRST_PERSON:
            # "my friend", "my mum's": the possessive belongs to the other person.
            nxt = doc[i + 1].norm_.strip("'") if i + 1 < span.start else ""
            if norm == "my" and (nxt in _OTHER_PEOPLE or nxt in _TOPICS):
                continue
            return False
    return False


def _first_person_state(doc: Doc, start: int, end: int, skip: Optional[range] = None) -> bool:
    """Does the speaker report their own state here ("I can't", "my legs are")?"""
    for i in range(start, end):
        if skip is not None and i in skip:
            continue
        norm = doc[i].norm_
        nxt = doc[i + 1].norm_ if i + 1 < end else ""
        if norm in ("i", "im", "ive", "id") and (nxt in _STATE_AFTER_I or norm in ("im", "ive")):
            return True
        if norm == "my" and nxt not in _OTHER_PEOPLE and any(
                doc[k].norm_ in _STATE_VERBS for k in range(i + 1, min(i + 5, end))):
            return True
        if norm == "me" and i > start and doc[i - 1].norm_ in ("wakes", "woke", "waking", "keeps", "kept"):
            return True
    return False


_STATEMENT_AFTER_CAN: FrozenSet[str] = frozenset({"not", "barely", "hardly", "scarcely", "never", "no"})


def _is_question(sent: Span) -> bool:
    if any(t.text == "?" for t in sent):
        return True
    words = [t for t in sent if not t.is_punct]
    if not words or words[0].norm_ not in _QUESTION_OPENERS or words[0].norm_ in ("is", "are", "any"):
        return False
    # "can't feel it when I wipe", "can barely feel my legs" open like a question but state a symptom.
    return not (len(words) > 1 and words[1].norm_ in _STATEMENT_AFTER_CAN)


def _finding_clause(doc: Doc, span: Span, sent: Span) -> Span:
    start = span.start
    while start > sent.start and doc[start - 1].norm_ not in (",", ";", ":"):
        start -= 1
    end = span.end
    while end < sent.end and doc[end].norm_ not in (",", ";", ":"):
        end += 1
    return doc[start:min(end + 1, sent.end)]


def _sentence_facts(doc: Doc, sent: Span) -> dict:
    """What every finding of one sentence shares (is it a question, an information frame, a
    first-person report, is it owned or disclaimed later), worked out once per sentence and kept
    on the Doc: a long message has many findings per sentence."""
    key = ("coach_context_sentence", sent.start, sent.end)
    facts = doc.user_data.get(key)
    if facts is None:
        norms = [t.norm_ for t in sent]
        question = _is_question(sent)
        facts = {
            "question": question,
            "info_frame": any(_has_phrase(norms, p) for p in _INFO_FRAMES),
            "first_person": _first_person_state(doc, sent.start, sent.end),
            "owned_later": _last_of(doc, "owned", _owned_at) >= sent.end,
            "disclaimed_later": question and _last_of(doc, "disclaimer", _disclaimer_at) >= sent.end,
        }
        doc.user_data[key] = facts
    return facts


def _last_of(doc: Doc, name: str, found_at) -> int:
    """The last token where found_at(doc, i) holds (-1 if none), once per Doc."""
    key = ("coach_context_last", name)
    if key not in doc.user_data:
        doc.user_data[key] = next((i for i in range(len(doc) - 1, -1, -1) if found_at(doc, i)), -1)
    return doc.user_data[key]


def _hypothetical(doc: Doc, span: Span, sent: Span) -> bool:
    """A question or what-if about the finding, not a report of it.

    Only the finding's own clause counts as the question: "can't feel it when I
    wipe, is that bad?" reports a symptom and then asks about it.
    """
    facts = _sentence_facts(doc, sent)
    clause = _finding_clause(doc, span, sent)
    question = _is_question(clause) or (
        facts["question"] and clause[0].norm_ in _CONDITIONALS | {"when", "in"})
    if not (question or facts["info_frame"]):
        return False
    # Inside an if-clause of a question: "what should I do if my legs go numb?"
    for i in range(span.start - 1, sent.start - 1, -1):
        if doc[i].norm_ in _CONDITIONALS or _starts_with(doc, i, ("in", "case")):
            return True
        if doc[i].norm_ in (",", ";", "."):
            break
    conditional_clause = None
    for i in range(sent.start, sent.end):
        if doc[i].norm_ in _CONDITIONALS:
            conditional_clause = range(i, _clause_end(doc, i + 1, sent.end))
            break
    return not _first_person_state(doc, sent.start, sent.end, conditional_clause)


_DISCLAIM_AUX: FrozenSet[str] = frozenset({"do", "did", "have", "'ve", "ve", "am", "'m", "m", "has"})
_DISCLAIM_VERBS: FrozenSet[str] = frozenset({
    "have", "got", "had", "get", "experience", "experienced", "suffer", "suffered", "from", "any", "of",
})
_DISCLAIM_OBJECTS: FrozenSet[str] = frozenset({"it", "that", "this", "them", "those", "these", "either", "one"})
_DISCLAIM_FOLLOWERS: FrozenSet[str] = frozenset({
    "though", "myself", "personally", "thankfully", "luckily", "fortunately", "just", "but", "lol", "btw",
    "yet", "at", "i", "so", "and", "haha", "phew", "symptom", "symptoms",
})


def _disclaimer_at(doc: Doc, i: int) -> bool:
    """'I don't have it', 'I haven't got any of that', 'I've never had those' (then the clause
    ends), or 'asking for a friend', starting at token i."""
    if _starts_with(doc, i, ("asking", "for", "a", "friend")):
        return True
    if doc[i].norm_ != "i":
        return False
    k = i + 1
    if k < len(doc) and doc[k].norm_ in _DISCLAIM_AUX:
        k += 1
    if k >= len(doc) or doc[k].norm_ not in ("not", "never"):
        return False
    k += 1
    while k < len(doc) and k < i + 8 and doc[k].norm_ in _DISCLAIM_VERBS:
        k += 1
    if k >= len(doc) or doc[k].norm_ not in _DISCLAIM_OBJECTS:
        return False
    k += 1
    return k >= len(doc) or doc[k].is_punct or _is_break(doc, k) or doc[k].norm_ in _DISCLAIM_FOLLOWERS


_OWN_VERBS: FrozenSet[str] = frozenset({"have", "got", "get", "getting", "having", "feel", "feeling"})


def _owned_at(doc: Doc, i: int) -> bool:
    """'I've got it', 'I have that', 'I'm getting this' (not negated), starting at token i."""
    if doc[i].norm_ != "i":
        return False
    for k in (i + 1, i + 2):  # "I have it", "I've got it", "I'm getting that", "I still get it"
        if k >= len(doc) or doc[k].norm_ not in _OWN_VERBS:
            continue
        k += 1
        if k < len(doc) and doc[k].norm_ == "got":
            k += 1
        if k < len(doc) and doc[k].norm_ in _DISCLAIM_OBJECTS:
            return True
    return False


def _owned_later(doc: Doc, sent: Span) -> bool:
    """A question about a symptom, then "I've got it since this morning": a report after all."""
    return _sentence_facts(doc, sent)["owned_later"]


def _disclaimed_later(doc: Doc, span: Span, sent: Span) -> bool:
    """A question about a symptom, then "I don't have it, just read about it": asked about, not had.
    Only a question that reports nothing of the speaker's own ("is it normal that I can't feel...?"
    stays a report), and only a disclaimer after it (its "it" points back)."""
    facts = _sentence_facts(doc, sent)
    return facts["disclaimed_later"] and not facts["first_person"]


def status_of(doc: Doc, span: Span, others: Iterable[Span] = ()) -> str:
    """The status of one finding, judged within its sentence."""
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    if _third_party(doc, span, sent.start, sent.end):
        return THIRD_PARTY
    if (_hypothetical(doc, span, sent) and not _owned_later(doc, sent)) or _disclaimed_later(doc, span, sent):
        return HYPOTHETICAL
    others = list(others)
    if _negated_before(doc, span, sent.start, others) or _negated_after(doc, span, sent.end, others):
        return NEGATED
    if _resolved(doc, span, sent.start, sent.end):
        return RESOLVED
    return AFFIRMED
