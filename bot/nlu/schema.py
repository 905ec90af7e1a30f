"""What the clinical parse looks like: the names a parse result carries, without spaCy.

The clinical reader (bot.nlu.clinical, on spaCy) writes these into every parse result
under ``CLINICAL_KEY``; the action server and the use cases only read them. Keeping
the names here lets the action server read a parse without loading the reader
(the action server does not load spaCy). bot.nlu.clinical and bot.nlu.context
re-export each name, so existing imports keep working.

A parse result's ``clinical`` value (bot.nlu.component):

- ``red_flags``: each red flag the text mentions: reason, tier, offsets, status;
- ``findings``: the non-affirmed findings (offsets only, never text);
- ``mentions``, ``cues`` (CUE_ENTITIES, with status), ``low_mood``;
- ``classifier``: the intent classifier's own guess, ``{"name", "confidence"}``;
- ``triage``: the red-flag decision of bot.triage.triage, ``{"tier", "reasons"}``.
"""
from __future__ import annotations

CLINICAL_KEY = "clinical"  # the key the Rasa component adds to each parse result
# The contract entities the clinical component decides (it keeps only the affirmed ones).
CLINICAL_ENTITIES = ("body_part", "side", "symptom", "trend", "pain_score", "duration")
# Context the coaching needs but Rasa does not see as entities: what the person was doing
# (movement), conditions that rule exercises out (condition), pain travelling further from the
# spine or back toward it (spread). They go to the parse result's `clinical` key as `cues`.
CUE_ENTITIES = ("movement", "condition", "spread")
# What the person did or asks about, read by the same reader and put in the parse's entities
# (affirmed ones only, like the clinical ones): "walked 20 minutes" -> activity walking; "how do
# I do a bird dog?" -> exercise bird_dog (an id of the exercise knowledge base). No statistical
# extractor is trained for them (issue 11: the pipeline has no DIET).
TASK_ENTITIES = ("activity", "exercise")

# The status of a finding (bot.nlu.context decides it).
AFFIRMED, NEGATED, RESOLVED, THIRD_PARTY, HYPOTHETICAL = (
    "affirmed", "negated", "resolved", "third_party", "hypothetical")
STATUSES = (AFFIRMED, NEGATED, RESOLVED, THIRD_PARTY, HYPOTHETICAL)
IDIOM = "idiom"  # the status of a blocked phrase: "this pain is killing me", "cabin fever"

# Red-flag tiers (clinical-guidance.md): 1 = emergency now, 2 = urgent, same day.
EMERGENCY, URGENT = 1, 2
