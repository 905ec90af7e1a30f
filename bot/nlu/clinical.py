"""The clinical reader: contract entities and red flags from one message, with context.

Built on ``spacy.blank("en")`` (no model download): the tokenizer, a
sentencizer, a typo-correcting pipe that rewrites the norm of misspelled key
words ("numbnes" -> numbness), phrase matchers over token norms for the
lexicon's surface forms and the red-flag concepts, and the scoping in
``bot.nlu.context``. Pain scores and minutes come from ``bot.parsing``, which
already knows "a four", "about six out of ten" and "walked 25 minutes".

Pure: text in, an ``Analysis`` out. No Rasa and no database, so the Rasa graph
component (``bot.nlu.component``), the action server and the tests share it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot import lexicon
from bot.knowledge import default_knowledge_base
from bot.nlu import context
from bot.nlu.red_flags import (
    BLOCKED, CONCEPTS, DESPAIR_TERMS, FUZZY_STOPWORDS, FUZZY_TARGETS, HEALTH_TERMS, IDIOMS, NOT_MENTIONS,
    RULES, SHORT_FUZZY_TARGETS, SHORT_STOPWORDS, STATUS_PROOF, TEXTING_SPELLINGS, TOKEN_PATTERNS,
)
from bot.parsing import clauses, parse_minutes, parse_pain_score

# What the parse result carries (CLINICAL_KEY, CLINICAL_ENTITIES, CUE_ENTITIES, IDIOM) is named
# in the spaCy-free bot.nlu.schema, so the action server reads it without this reader.
from bot.nlu.schema import CLINICAL_ENTITIES, CLINICAL_KEY, CUE_ENTITIES, IDIOM, TASK_ENTITIES  # noqa: F401

MAX_CHARS = 5000  # a chat message never needs more; keeps hostile input cheap
_LEXICON_ENTITIES = ("body_part", "side", "symptom", "trend")
_BLOCK = "BLOCKED"
_UNILATERAL = frozenset({"left", "right", "one", "lhs", "rhs"})
_IDIOMS = frozenset(IDIOMS)
_ORGAN_NOT_CONTINENCE = frozenset({"cancer", "tumour", "tumor", "screening", "scope", "camera", "polyp",
                                   "polyps", "scan", "surgery", "op", "operation", "infection", "cancor"})
# "can't go on holiday", "don't want to carry on with the bridges": an activity, not despair.
_ACTIVITY_AFTER_GO_ON = frozenset({
    "with", "the", "a", "an", "my", "holiday", "holidays", "to", "about", "at", "in", "for", "that",
    "this", "those", "these", "them", "it", "walks", "walking", "trips", "trip", "ride", "rides",
    "bike", "doing", "exercising", "stretching", "working", "work", "using",
})
_DESPAIR_AFTER_GO_ON = frozenset({"pain", "pains", "life", "living", "agony", "suffering", "misery"})
# "feeling down below is normal", "felt down my leg": a place, not a mood.
_PLACE_AFTER_DOWN = frozenset({"below", "there", "my", "the", "into", "to", "through", "both", "one",
                               "in", "towards", "toward", "past", "from", "and", "his", "her"})
_SADDLE_SIDED = frozenset({"bum", "buttock", "buttocks", "butt", "bottom", "groin", "inner", "cheek",
                           "backside", "bum cheeks"})


@dataclass(frozen=True)
class Finding:
    """One contract entity mention, with its canonical value and status."""

    entity: str
    value: str
    start: int  # character offsets into the analysed text
    end: int
    status: str

    @property
    def affirmed(self) -> bool:
        return self.status == context.AFFIRMED


@dataclass(frozen=True)
class RedFlagFinding:
    """A red flag the message mentions, and whether the speaker has it now."""

    reason: str
    tier: int
    start: int
    end: int
    status: str

    @property
    def affirmed(self) -> bool:
        return self.status == context.AFFIRMED


@dataclass(frozen=True)
class Mention:
    """Any red-flag word, whether or not it completes a red flag."""

    concept: str
    status: str


@dataclass(frozen=True)
class Analysis:
    findings: Tuple[Finding, ...]
    red_flags: Tuple[RedFlagFinding, ...]
    mentions: Tuple[Mention, ...] = ()
    health_terms: bool = False  # a word or phrase about the body, pain, medical care or mood
    cues: Tuple[Finding, ...] = ()  # CUE_ENTITIES findings, with their status
    low_mood: bool = False  # the speaker says their mood is low ("a bit low today", "fed up")
    despair_terms: bool = False  # a word despair is told with (red_flags.DESPAIR_TERMS), any status

    def about_health(self) -> bool:
        """Does the message speak of the body, pain, medical care or mood at all?"""
        return self.health_terms or self.low_mood or any(
            f.affirmed and f.entity in ("body_part", "symptom") for f in self.findings)

    def entities(self, affirmed_only: bool = True) -> List[Finding]:
        """Findings, each (entity, value) once, first mention first. An activity or exercise
        in a question or a plan ("could I do a bird dog?") is named all the same."""
        seen = set()
        kept = []
        for f in self.findings:
            said = f.affirmed or (f.entity in TASK_ENTITIES and f.status == context.HYPOTHETICAL)
            if (affirmed_only and not said) or (f.entity, f.value, f.status) in seen:
                continue
            seen.add((f.entity, f.value, f.status))
            kept.append(f)
        return kept

    def all_mentions_denied(self) -> bool:
        """Red-flag words are present and every one is negated, resolved, someone else's,
        hypothetical or part of an idiom: the message reports no red flag."""
        return bool(self.mentions) and all(m.status != context.AFFIRMED for m in self.mentions)

    def affirmed_red_flags(self) -> List[RedFlagFinding]:
        """Affirmed flags, most urgent first."""
        return sorted((f for f in self.red_flags if f.affirmed), key=lambda f: (f.tier, f.start))

    def most_urgent(self) -> Optional[RedFlagFinding]:
        flags = self.affirmed_red_flags()
        return flags[0] if flags else None

    def as_dict(self) -> Dict:
        """What the NLU pipeline adds to the parse result (no message text)."""
        return {
            "red_flags": [vars_of(f) for f in self.red_flags],
            "findings": [vars_of(f) for f in self.findings if not f.affirmed],
            "mentions": sorted({m.status for m in self.mentions}),
            "cues": [vars_of(f) for f in self.cues],
            "low_mood": self.low_mood,
        }


def vars_of(obj) -> Dict:
    return dict(obj.__dict__)


# --------------------------------------------------------------------------- typos

def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein distance <= limit, cut off early (words are short)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def _known_words() -> frozenset:
    words = set(FUZZY_STOPWORDS)
    for phrases in CONCEPTS.values():
        for phrase in phrases:
            words.update(phrase.split())
    for values in lexicon.SYNONYMS.values():
        for forms in values.values():
            for form in forms:
                words.update(form.split())
    return frozenset(words)


_KNOWN = _known_words()
# "droped", "wetin", "cuttin": a consonant not doubled before -ed/-ing, or the g dropped.
_UNDOUBLED = re.compile(r"^([a-z]*[aeiou])([bdgklmnprtz])(ed|ing|in)$")


def texting_form(word: str) -> Optional[str]:
    """The key word a texting form of an -ing or -ed word spells, or None: "wettin" -> wetting,
    "lyin" -> lying, "droped" -> dropped. Only key words (red-flag phrases and the lexicon) are
    read this way, so "cabin" or "hoping" stay what they are."""
    if len(word) >= 4 and word.endswith("in") and word + "g" in _KNOWN:
        return word + "g"
    match = _UNDOUBLED.match(word)
    if match and len(match.group(1)) >= 2:
        stem, consonant, suffix = match.groups()
        candidate = stem + consonant * 2 + ("ed" if suffix == "ed" else "ing")
        if candidate in _KNOWN:
            return candidate
    return None


@lru_cache(maxsize=4096)
def correct_spelling(word: str) -> Optional[str]:
    """The key word a misspelling stands for, or None.

    Words of 6+ letters may be one edit (two from 9 letters) from a key word;
    words of 4-5 letters only one edit from a short key word with the same first
    letter, and never when they are ordinary words of their own ("lets", "week").
    """
    if word in TEXTING_SPELLINGS:
        return TEXTING_SPELLINGS[word]
    if not word.isalpha() or word in _KNOWN:
        return None
    texting = texting_form(word)
    if texting:
        return texting
    if 4 <= len(word) <= 5:
        if word in SHORT_STOPWORDS:
            return None
        return next((t for t in SHORT_FUZZY_TARGETS
                     if t[0] == word[0] and t != word and _edit_distance_at_most(word, t, 1)), None)
    if len(word) < 6:
        return None
    limit = 2 if len(word) >= 9 else 1
    for target in FUZZY_TARGETS:
        if _edit_distance_at_most(word, target, limit):
            return target
    return None


@Language.component("coach_spelling")
def _spelling_pipe(doc: Doc) -> Doc:
    for token in doc:
        fixed = correct_spelling(token.lower_)
        if fixed:
            token.norm_ = fixed
    return doc


# --------------------------------------------------------------------------- the pipeline

def _exercise_names() -> Dict[str, List[str]]:
    """Each exercise's id -> every way of naming it (bot.knowledge: id, name, aliases),
    each also in the plural ("bird dogs")."""
    table: Dict[str, List[str]] = {}
    for exercise in default_knowledge_base().exercises:
        names = [exercise.id.replace("_", " "), exercise.name, *exercise.aliases]
        table[exercise.id] = [n.lower() for name in names for n in (name, name + "s")]
    return table


def _phrase_matcher(nlp: Language, table: Dict[str, Sequence[str]]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    for key, phrases in table.items():
        docs = [nlp.make_doc(p) for p in dict.fromkeys(phrases) if p.strip()]
        matcher.add(key, docs)
    return matcher


class ClinicalReader:
    """One spaCy pipeline plus matchers; build once, call `analyse` per message."""

    def __init__(self) -> None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("coach_spelling")
        self.nlp = nlp
        self._entity_matchers = {}
        for entity in _LEXICON_ENTITIES + CUE_ENTITIES + ("activity",):
            table: Dict[str, List[str]] = {_BLOCK: list(lexicon.blocked_phrases(entity))}
            for value, forms in lexicon.SYNONYMS[entity].items():
                table[value] = list(forms) + [value, value.replace("_", " ")]
            self._entity_matchers[entity] = _phrase_matcher(nlp, table)
        self._entity_matchers["exercise"] = _phrase_matcher(nlp, _exercise_names())
        concepts = dict(CONCEPTS)
        concepts[_BLOCK] = list(BLOCKED)
        self._concepts = _phrase_matcher(nlp, concepts)
        self._health = _phrase_matcher(nlp, {"health": HEALTH_TERMS})
        self._despair = _phrase_matcher(nlp, {"despair": DESPAIR_TERMS})
        self._patterns = Matcher(nlp.vocab)
        for concept, patterns in TOKEN_PATTERNS.items():
            self._patterns.add(concept, patterns)

    # ---- entities ----------------------------------------------------------
    def _lexicon_spans(self, doc: Doc, entity: str) -> List[Span]:
        matcher = self._entity_matchers[entity]
        spans = [Span(doc, s, e, label=self.nlp.vocab.strings[k]) for k, s, e in matcher(doc)]
        return [s for s in filter_spans(spans) if s.label_ != _BLOCK]

    def _number_finding(self, doc: Doc, entity: str, value: Optional[float], text: str,
                        others: Sequence[Span], lo: int, hi: int) -> Optional[Finding]:
        if value is None:
            return None
        span = _number_span(doc, text, value, lo, hi)
        status = context.status_of(doc, span, others) if span is not None else context.AFFIRMED
        start, end = (span.start_char, span.end_char) if span is not None else (0, 0)
        return Finding(entity, _fmt(value), start, end, status)

    def _findings(self, doc: Doc, text: str, concept_spans: Sequence[Span]) -> List[Finding]:
        findings: List[Finding] = []
        all_spans: List[Span] = list(concept_spans)
        per_entity = {e: self._lexicon_spans(doc, e) for e in _LEXICON_ENTITIES}
        for spans in per_entity.values():
            all_spans.extend(spans)
        for entity, spans in per_entity.items():
            for span in spans:
                others = [o for o in all_spans if o is not span]
                status = context.status_of(doc, span, others)
                findings.append(Finding(entity, span.label_, span.start_char, span.end_char, status))
        for start, end in clauses(text):  # "back a 4, leg a 2" has two scores
            piece = text[start:end]
            for entity, value in (("pain_score", parse_pain_score(piece)), ("duration", parse_minutes(piece))):
                found = self._number_finding(doc, entity, value, text, all_spans, start, end)
                if found is not None and not any(
                        f.entity == entity and f.start == found.start for f in findings):
                    findings.append(found)
        # What they did or ask about: read in the same context, but never part of the context
        # the clinical findings are read in, so no clinical status depends on them.
        named: List[Span] = []  # an exercise named decides its activity: "bird dog" is not also
        for entity in ("exercise", "activity"):  # a separate "stabilization" mention
            for span in self._lexicon_spans(doc, entity):
                if any(n.start < span.end and span.start < n.end for n in named):
                    continue
                named.append(span)
                status = context.status_of(doc, span, all_spans)
                if status == context.AFFIRMED and context.unable_before(doc, span):
                    status = context.NEGATED  # "couldn't walk today": not done
                findings.append(Finding(entity, span.label_, span.start_char, span.end_char, status))
        return sorted(findings, key=lambda f: (f.start, f.entity))

    # ---- red flags ---------------------------------------------------------
    def _concept_spans(self, doc: Doc) -> Tuple[List[Span], List[Span]]:
        """Concept spans, and the blocked phrases (idioms) that swallowed one."""
        matches = list(self._concepts(doc)) + list(self._patterns(doc))
        spans = [Span(doc, s, e, label=self.nlp.vocab.strings[k]) for k, s, e in matches]
        blocked = [s for s in spans if s.label_ == _BLOCK]
        kept: List[Span] = []
        figures: List[Span] = []
        for span in spans:
            if span.label_ == _BLOCK or any(b.start <= span.start and span.end <= b.end for b in blocked):
                continue
            if span.label_ == "saddle" and _one_sided(doc, span):
                continue  # one buttock or groin tingling is sciatica, not the saddle area
            if span.label_ == "continence_organ" and span.end < len(doc) \
                    and doc[span.end].norm_ in _ORGAN_NOT_CONTINENCE:
                continue  # "bowel cancer", "bladder scan" name the organ, not a loss of control
            if span.label_ == "self_harm" and _going_on_with_an_activity(doc, span):
                continue
            if span.label_ == "low_mood" and _a_place_after_down(doc, span):
                continue
            if (span.label_ == "lump" and _a_lump_of_something(doc, span)) or \
                    (span.label_ == "cancer" and _a_star_sign(doc, span)):
                figures.append(span)  # "a lump of cheese", "I'm a Cancer, so stubborn"
                continue
            if span.label_ == "sensory" and _feeling_the_pain(doc, span):
                continue  # "can barely feel the pain now": less pain, not numbness
            if span.label_ in ("unrelieved", "stockpile") and _with_an_exception(doc, span):
                continue  # "nothing eases it except lying down"; "saving my pills for the flight"
            kept.append(span)
        idioms = [b for b in blocked if b.text.lower() in _IDIOMS] + figures
        return kept, idioms

    def _red_flags(self, doc: Doc, concept_spans: Sequence[Span]) -> List[RedFlagFinding]:
        flags: List[RedFlagFinding] = []
        for sent in doc.sents:
            in_sent = [s for s in concept_spans if sent.start <= s.start < sent.end]
            by_concept: Dict[str, List[Span]] = {}
            for span in in_sent:
                by_concept.setdefault(span.label_, []).append(span)
            for rule in RULES:
                flag = self._apply(doc, rule, by_concept, in_sent)
                if flag is not None:
                    flags.append(flag)
        return flags

    def _apply(self, doc: Doc, rule, by_concept: Dict[str, List[Span]],
               in_sent: Sequence[Span]) -> Optional[RedFlagFinding]:
        """The best finding for one rule in one sentence: affirmed beats any other status."""
        best: Optional[RedFlagFinding] = None
        for needs in (rule.needs,) + rule.alternatives:
            if rule.reason == "bone_fragility" and self._only_injections(by_concept):
                continue
            if not all(c in by_concept for c in needs):
                continue
            if rule.reason == "weight_loss" and _explained(doc, by_concept):
                status = context.NEGATED
                spans = [by_concept[c][0] for c in needs]
            else:
                spans, status = self._combined(doc, needs, by_concept, in_sent)
            start = min(s.start_char for s in spans)
            end = max(s.end_char for s in spans)
            finding = RedFlagFinding(rule.reason, rule.tier, start, end, status)
            if best is None or (finding.affirmed and not best.affirmed):
                best = finding
        return best

    @staticmethod
    def _only_injections(by_concept: Dict[str, List[Span]]) -> bool:
        """'a steroid injection' for sciatica is not long-term steroid use."""
        fragile = by_concept.get("fragile_bone", [])
        shots = by_concept.get("steroid_injection", [])
        return bool(fragile) and all(
            any(s.start <= f.start < s.end or f.end == s.start for s in shots) or
            f.text.lower().startswith("steroid") and any(s.start == f.end for s in shots)
            for f in fragile)

    @staticmethod
    def _combined(doc: Doc, needs: Sequence[str], by_concept: Dict[str, List[Span]],
                  in_sent: Sequence[Span]) -> Tuple[List[Span], str]:
        """Pick one span per concept, preferring affirmed ones; the flag is affirmed only
        if every part is, except for concepts whose status cannot cancel (a past cancer)."""
        chosen: List[Span] = []
        statuses: List[str] = []
        for concept in needs:
            candidates = by_concept[concept]
            scored = []
            for span in candidates:
                others = [o for o in in_sent if o is not span and o.label_ != concept]
                status = context.status_of(doc, span, others)
                if status in STATUS_PROOF.get(concept, ()):
                    status = context.AFFIRMED
                scored.append((status != context.AFFIRMED, span.start, span, status))
            scored.sort(key=lambda item: (item[0], item[1]))
            _, _, span, status = scored[0]
            chosen.append(span)
            statuses.append(status)
        for status in (context.THIRD_PARTY, context.HYPOTHETICAL, context.NEGATED, context.RESOLVED):
            if status in statuses:
                return chosen, status
        return chosen, context.AFFIRMED

    # ---- public ------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        text = _clean(text)
        if not text:
            return Analysis((), ())
        doc = self.nlp(text)
        concepts, idioms = self._concept_spans(doc)
        flags = _dedupe(self._red_flags(doc, concepts))
        findings = self._findings(doc, text, concepts)
        return Analysis(tuple(findings), tuple(flags), tuple(self._mentions(doc, concepts, idioms, flags)),
                        bool(self._health(doc)), tuple(self._cues(doc, concepts)),
                        low_mood=_low_mood(doc, concepts), despair_terms=bool(self._despair(doc)))

    def _cues(self, doc: Doc, concepts: Sequence[Span]) -> List[Finding]:
        """Movement, condition and spread phrases, each with its status ("not from sitting")."""
        cues = []
        for entity in CUE_ENTITIES:
            for span in self._lexicon_spans(doc, entity):
                others = [o for o in concepts if o is not span]
                cues.append(Finding(entity, span.label_, span.start_char, span.end_char,
                                    context.status_of(doc, span, others)))
        return sorted(cues, key=lambda f: (f.start, f.entity))

    @staticmethod
    def _mentions(doc: Doc, concepts: Sequence[Span], idioms: Sequence[Span],
                  flags: Sequence[RedFlagFinding]) -> List[Mention]:
        """Every red-flag word with its status. A word that is part of a red flag takes
        the flag's status ("legs aren't weak": "legs" is part of a denied flag)."""
        mentions = [Mention(f.reason, f.status) for f in flags]
        for span in concepts:
            if span.label_ in NOT_MENTIONS:
                continue
            owner = next((f for f in flags if f.start <= span.start_char and span.end_char <= f.end), None)
            status = owner.status if owner else context.status_of(doc, span, [o for o in concepts if o is not span])
            mentions.append(Mention(span.label_, status))
        return mentions + [Mention("idiom", IDIOM) for _ in idioms]


_LONG_RUN = re.compile(r"\S{60,}")
# "killin' myself": the apostrophe of a dropped g is a token of its own and would split the phrase.
_DROPPED_G = re.compile(r"\b([A-Za-z]{2,}in)'(?![A-Za-z])")


def _restore_g(match: "re.Match") -> str:
    word = match.group(1)
    return word + "g" if (word.lower() + "g") in _KNOWN else match.group()


def _clean(text) -> str:
    """Cut to MAX_CHARS and blank out runs of 60+ non-space characters.

    No word is that long, and spaCy's affix splitting is quadratic on such runs
    (5,000 emoji took ~5 s). Blanking keeps every character offset unchanged.
    """
    if not isinstance(text, str):
        return ""
    text = text[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    text = _DROPPED_G.sub(_restore_g, text)  # same length: "wettin'" -> "wetting"
    return _LONG_RUN.sub(lambda m: " " * len(m.group()), text)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_WORD_NUMBERS = {
    0: ("zero", "nil", "none"), 1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",),
    6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 15: ("fifteen",),
    20: ("twenty",), 30: ("thirty",), 40: ("forty",), 45: ("forty five", "forty-five"),
    60: ("sixty", "an hour", "hour"), 90: ("ninety",),
}


def _number_span(doc: Doc, text: str, value: float, lo: int = 0, hi: Optional[int] = None) -> Optional[Span]:
    """Where in the text (between lo and hi) a parsed number was written, so the entity has a span."""
    hi = len(text) if hi is None else hi
    forms = [_fmt(value)]
    if float(value).is_integer():
        forms += list(_WORD_NUMBERS.get(int(value), ()))
    else:
        forms += [f"{value:.1f}", str(value).replace(".", ","), str(int(value)) + " and a half",
                  str(int(value))]
    for form in forms:
        for match in re.finditer(rf"(?<![\w.]){re.escape(form)}(?![\w]|[.,]\d)", text[:hi], re.IGNORECASE):
            if match.start() < lo:
                continue
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None:
                return span
    return None


def _going_on_with_an_activity(doc: Doc, span: Span) -> bool:
    """'can't go on holiday' is an activity; 'can't see any point going on with this pain' is not."""
    if doc[span.end - 1].lower_ != "on" or span.end >= len(doc) \
            or doc[span.end].norm_ not in _ACTIVITY_AFTER_GO_ON:
        return False
    return not any(t.norm_ in _DESPAIR_AFTER_GO_ON for t in doc[span.end:span.end + 4])


def _a_place_after_down(doc: Doc, span: Span) -> bool:
    """'feeling down below', 'felt down my leg': where, not a mood."""
    return doc[span.end - 1].lower_ == "down" and span.end < len(doc) \
        and doc[span.end].norm_ in _PLACE_AFTER_DOWN


def _low_mood(doc: Doc, concepts: Sequence[Span]) -> bool:
    """The speaker's own low mood now ("not feeling low", "my wife is fed up" are not)."""
    return any(span.label_ == "low_mood" and context.status_of(
        doc, span, [o for o in concepts if o is not span]) == context.AFFIRMED for span in concepts)


# "a lump of bone", "a lump of something" is a lump; "a lump of cheese" is an amount.
_BODY_AFTER_LUMP_OF = frozenset({"bone", "tissue", "muscle", "flesh", "fat", "swelling", "something",
                                 "hard", "gristle", "skin", "stuff", "what", "it", "some"})
_BEFORE_STAR_SIGN = frozenset({"am", "'m", "m", "im", "is", "'s", "s", "being", "as", "was", "typical"})
_AFTER_STAR_SIGN = frozenset({"so", "and", "but", "lol", "haha", "too", "which", "who", "like", "apparently",
                              "by", "through", "myself", "sign", "star", "obviously", "though", "btw"})
_PAIN_FELT = frozenset({"pain", "pains", "ache", "aches", "aching", "hurt", "hurting", "soreness",
                        "stiffness", "twinge", "twinges", "discomfort"})
# What follows "nothing helps" when something does ("except lying down"), and what follows a
# stockpile of medicine kept for a reason ("for the flight", "in case of a flare").
_EXCEPTIONS = {
    "unrelieved": (3, frozenset({"except", "apart", "besides", "other", "bar", "aside", "unless", "but",
                                 "like", "as", "more", "better", "than"})),
    "stockpile": (6, frozenset({"for", "case", "until", "till"})),
}


def _a_lump_of_something(doc: Doc, span: Span) -> bool:
    return span.text.lower() in ("lump", "lumps") and span.end + 1 < len(doc) \
        and doc[span.end].norm_ == "of" and doc[span.end + 1].norm_ not in _BODY_AFTER_LUMP_OF


def _a_star_sign(doc: Doc, span: Span) -> bool:
    """'I'm a Cancer, so...' names a star sign; 'I'm a cancer survivor' a history of cancer."""
    if span.start < 2 or doc[span.start - 1].lower_ != "a" or doc[span.start - 2].norm_ not in _BEFORE_STAR_SIGN:
        return False
    if span.end >= len(doc):
        return True
    after = doc[span.end]
    return after.is_punct or after.norm_ in _AFTER_STAR_SIGN


def _feeling_the_pain(doc: Doc, span: Span) -> bool:
    """'I can barely feel the pain' is less pain; only for the reduced-feeling phrases."""
    return doc[span.start].lower_ in ("barely", "hardly") and doc[span.end - 1].lower_ == "feel" and any(
        t.norm_ in _PAIN_FELT for t in doc[span.end:span.end + 3])


def _with_an_exception(doc: Doc, span: Span) -> bool:
    """'nothing helps except lying down', 'saving up my tablets for the holiday'."""
    window, words = _EXCEPTIONS[span.label_]
    for token in doc[span.end:span.end + window]:
        if token.norm_ in words:
            return True
        if token.is_sent_end or token.norm_ in (",", ";", "."):
            return False
    return False


def _one_sided(doc: Doc, span: Span) -> bool:
    if span.text.lower() not in _SADDLE_SIDED:
        return False
    before = {t.norm_ for t in doc[max(span.start - 3, 0):span.start]}
    return bool(before & _UNILATERAL)


def _explained(doc: Doc, by_concept: Dict[str, List[Span]]) -> bool:
    """Weight lost on purpose (a diet, the gym) is not unexplained weight loss.

    "not on purpose", "without trying", "not dieting" explain nothing.
    """
    for span in by_concept.get("weight_explained", []):
        before = []  # up to four words back in the clause: "haven't changed my diet"
        for token in reversed(doc[max(span.start - 4, 0):span.start]):
            if token.is_punct:
                break
            before.append(token.norm_)
        if not set(before) & {"not", "no", "without", "never"}:
            return True
    return False


def _dedupe(flags: Sequence[RedFlagFinding]) -> List[RedFlagFinding]:
    """One finding per reason: the affirmed one if any, else the first."""
    best: Dict[str, RedFlagFinding] = {}
    for flag in flags:
        known = best.get(flag.reason)
        if known is None or (flag.affirmed and not known.affirmed):
            best[flag.reason] = flag
    return list(best.values())


@lru_cache(maxsize=1)
def default_reader() -> ClinicalReader:
    """The process-wide reader (building it takes a few hundred milliseconds)."""
    return ClinicalReader()


def analyse(text: str) -> Analysis:
    return default_reader().analyse(text)
