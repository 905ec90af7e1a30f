"""Red-flag vocabulary: the phrases behind tiers 1 and 2 of clinical-guidance.md.

Each red flag is found from *concepts*, small phrase lists matched on token
norms. Some flags need one concept ("incontinent", "chest pain"); others need two
in the same sentence (a bilateral place AND numbness or weakness; the saddle
area AND a change of feeling). Phrases are written in plain lower case; the
extractor turns them into spaCy patterns, so spelling of contractions
("can't", "cant", "cannot") is handled by spaCy's tokenizer norms.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Tuple

# Only the spaCy-free names: bot.triage reads RULES_BY_REASON without loading the reader.
from bot.nlu.schema import EMERGENCY, HYPOTHETICAL, NEGATED, RESOLVED, URGENT


def _said_with_negation(cores: Tuple[str, ...]) -> Tuple[str, ...]:
    """Despair is often worded with a negation ("I don't see the point in going on"). With the
    negation inside the phrase, the context scoper cannot read it as a denial."""
    return tuple(f"{negation} {core}" for negation in ("don't", "do not", "can't", "cannot", "no longer")
                 for core in cores)


# Passive suicidal thoughts, in the words people use for them. "I don't see the point of these
# exercises" stays out: each phrase names going on, living, a way out or a future.
_DESPAIR: Tuple[str, ...] = _said_with_negation((
    "see the point in going on", "see the point of going on", "see any point in going on",
    "see the point in living", "see the point of living", "see any point in living",
    "see the point in carrying on", "see the point of carrying on", "see the point of life",
    "see a way out", "see any way out", "see a future", "see any future", "want to go on",
    "want to carry on", "want to live", "want to exist", "want to be alive", "want to be here",
    "see the point anymore", "see the point any more", "see any point anymore",
    "carry on like this", "go on living", "face another day", "want to wake up",
)) + (
    *(f"{what} the point {core}" for what in ("what's", "whats", "what is")
      for core in ("of living", "in living", "of going on", "in going on", "of life", "in life")),
    "no way out", "life is pointless", "life feels pointless",
    "life's pointless", "want it to be over", "want it all to be over", "wish i could disappear",
    "wish i could just disappear", "wish i could die", "rather be dead", "rather not be here",
    "rather not be alive", "want to sleep forever", "never wake up", "nothing left to live for",
)

CONCEPTS: Mapping[str, Tuple[str, ...]] = MappingProxyType({
    # --- bladder and bowel -------------------------------------------------------
    "continence": (
        "incontinent", "incontinence", "wet myself", "wetting myself", "wet the bed", "wetting the bed",
        "peed myself", "pee myself", "peeing myself", "pissed myself", "wee myself", "weed myself",
        "soiled myself", "soiling myself", "pooed myself", "pooped myself", "pooped my pants",
        "pooed my pants", "wet my pants", "wet my trousers", "leaking urine", "leaking wee",
        "leaking pee", "urine leaking", "urinary retention", "retention", "can't pee", "can not pee",
        "can't wee", "can not wee", "can't urinate", "can not urinate", "unable to urinate",
        "unable to pee", "unable to wee", "can't poo", "can't go to the toilet", "can't feel when i need to pee",
        "can't tell when i need the toilet", "can't feel myself pee", "can't feel myself wee",
        "cauda equina", "had an accident in my pants", "accidents in my pants", "messed myself",
        "control my poo", "hold my poo", "hold in my poo", "control my bowels", "hold my bowels",
        "can't feel when i need a poo", "can't tell when i need a poo",
        "haven't had a wee", "haven't had a pee", "not had a wee", "not had a pee", "haven't weed",
        "haven't peed", "not been able to pee", "not been able to wee", "not passed urine",
        "haven't passed urine", "haven't passed water", "weeing myself", "no control over my bowels",
        "no control of my bowels", "no control over my bladder", "no control of my bladder",
        "lost control of my bladder", "lost control of my bowels", "losing control of my bladder",
        "losing control of my bowels", "no bladder control", "no bowel control",
        "wet herself", "wet himself", "wet themselves", "wetting herself", "wetting himself",
    ),
    "continence_organ": ("bladder", "bowel", "bowels", "waterworks", "sphincter", "urinary", "continence"),
    # Retention told as a scene: at the toilet, or bursting, and nothing will come out.
    "toilet_attempt": (
        "at the toilet", "on the toilet", "over the toilet", "in the loo", "on the loo", "at the loo",
        "bursting for a wee", "bursting for a pee", "bursting for the toilet", "bursting for the loo",
        "bursting to go", "desperate for a wee", "desperate for a pee", "busting for a wee", "busting for a pee",
    ),
    "nothing_passes": (
        "nothing will come out", "nothing would come out", "nothing comes out", "nothing came out",
        "nothing will come", "nothing's coming out", "nothing is coming out",
    ),
    "toilet_act": (
        "pee", "peeing", "wee", "weeing", "urine", "urinate", "urinating", "urination", "piss",
        "pass water", "passing water", "pass urine", "passing urine", "wees", "pees",
    ),
    "control_problem": (
        "control", "start", "starting", "stop", "stopping", "hold", "hold it", "leak", "leaking",
        "leaks", "accident", "accidents", "empty", "emptying", "trouble", "difficulty", "difficult",
        "struggle", "struggling", "problem", "problems", "issue", "issues", "can't", "can not",
        "cannot", "unable", "lost", "losing", "weird", "strange", "different", "numb", "dribble",
        "dribbling", "feel", "sensation", "urge", "flow", "stream", "wet", "can't go",
    ),
    # --- sensation, weakness and where ------------------------------------------
    "sensory": (
        "numb", "numbness", "numbed", "tingling", "tingly", "tingle", "tingles", "pins and needles",
        "no feeling", "can't feel", "can not feel", "cannot feel", "lost feeling", "lost the feeling",
        "lost sensation", "loss of sensation", "loss of feeling", "reduced sensation", "no sensation",
        "dead feeling", "feels dead", "feel dead", "went dead", "gone dead", "deadness", "prickling",
        "feels weird", "weird feeling", "strange feeling", "odd feeling", "feels strange",
        "lack of feeling", "lack of sensation", "altered sensation",
        # reduced, not absent: "can barely feel anything down there"
        "barely feel", "hardly feel", "barely any feeling", "hardly any feeling", "not much feeling",
        "very little feeling", "less feeling", "barely any sensation", "hardly any sensation",
    ),
    "weakness": (
        "weak", "weakness", "weaker", "weakening", "give way", "gives way", "giving way", "gave way",
        "buckle", "buckles", "buckling", "buckled", "collapse", "collapsed", "collapsing", "paralysed",
        "paralyzed", "paralysis", "can't move", "can not move", "cannot move", "no strength",
        "lost strength", "losing strength", "like jelly", "jelly legs", "wobbly", "can't stand",
        "can't lift", "can't support", "won't hold me", "won't take my weight",
    ),
    "bilateral": (
        "both legs", "both my legs", "both of my legs", "both feet", "both my feet", "both of my feet",
        "both thighs", "both calves", "both knees", "both shins", "both ankles", "either leg",
        "either foot", "two legs", "2 legs", "each leg", "legs", "feet", "thighs", "calves",
        "both sides", "both lower legs", "legs are both", "left and right leg", "right and left leg",
        "left and right legs", "both hamstrings", "both buttocks", "both my buttocks",
        "both leg", "both leggs", "leggs", "both foot", "both of them legs", "both arms and legs",
    ),
    "saddle": (
        "saddle", "saddle area", "saddle region", "genitals", "genital", "genital area", "private parts",
        "privates", "down there", "between my legs", "perineum", "perineal", "crotch", "groin",
        "inner thighs", "inner thigh", "bum", "buttocks", "backside", "anus", "back passage", "vagina",
        "vaginal", "penis", "testicles", "scrotum", "labia", "my bits", "nether regions", "wipe",
        "wiping", "toilet paper", "bottom", "bum cheeks", "butt", "sitting area",
        "behind my balls", "my balls", "testicle", "between my bum", "around my bum", "around my anus",
        "my bottom", "botom",
        "private area", "intimate area",
    ),
    "saddle_anaesthesia": (
        "saddle anaesthesia", "saddle anesthesia", "saddle numbness", "can't feel it when i wipe",
        "can't feel when i wipe", "can't feel myself wipe", "can't feel the toilet paper",
        "can't feel toilet paper", "numb when i wipe", "numb when wiping",
    ),
    "foot_drop": (
        "foot drop", "drop foot", "dropped foot", "foot is dropping", "foot keeps dropping", "foot drags",
        "foot dragging", "dragging my foot", "dragging my leg", "foot slaps", "foot slapping",
        "slapping my foot", "foot flops", "foot flopping", "foot is floppy", "floppy foot",
        "foot keeps catching", "foot catches", "toes catch", "toes keep catching", "catching my toes",
        "catching my foot", "tripping over my foot", "tripping over my toes", "can't lift my foot",
        "can't lift my toes", "can not lift my foot", "can't raise my foot", "can't raise my toes",
        "can't point my toes up", "can't walk on my heels", "can't stand on my toes",
        "foot won't lift", "toes won't lift", "foot won't come up", "foot flopping down",
        "keeps flopping", "flopping down", "foot slapping down", "slaps down",
        "can't stand on my heel", "can't stand on my heels", "can't walk on my heel", "foot keeps slapping",
    ),
    "leg": ("leg", "legs", "thigh", "knee", "knees", "calf", "foot", "feet", "ankle", "toes", "hip"),
    "foot_part": ("foot", "feet", "toes", "toe", "ankle", "heel", "tose"),
    "foot_motion": (
        "slapping", "slaps", "slap", "dragging", "drags", "drag", "flops", "flop", "flopping", "floppy",
        "catching", "catches", "tripping over", "trip over", "trips over", "drops", "dropping", "drop",
        "won't lift", "can't lift", "cannot lift", "can not lift", "can't raise", "can't point",
        "won't come up", "draging",
        "won't pull", "won't pull my foot up", "can't pull my foot up", "can't pull my toes up",
    ),
    "fall_verb": (
        "fell", "fallen", "came off", "come off", "knocked off", "tumbled",
        "fell of", "flew off", "flew over",
    ),
    "fall_from": (
        "ladder", "roof", "scaffolding", "scaffold", "horse", "motorbike", "motorcycle", "bike", "stairs",
        "flight of stairs", "loft", "wall", "tree", "balcony", "height", "metres", "meters", "trampoline",
        "quad bike", "skis", "snowboard", "cliff", "steps", "handlebars", "moped", "scooter",
        "ice", "icy",
    ),
    "worsening": (
        "getting weaker", "weaker and weaker", "weaker every day", "weaker each day", "weaker by the day",
        "more and more", "rapidly", "quickly", "fast", "suddenly", "sudden", "worse and worse",
        "by the hour", "every day", "each day", "getting worse", "keeps getting", "overnight",
        "progressively", "spreading", "weaker",
        "much worse", "worse than yesterday", "worse than before", "worse today", "weeker",
    ),
    # --- other tier-1 -------------------------------------------------------------
    "chest": ("chest",),
    "chest_symptom": (
        "pain", "pains", "hurts", "hurting", "ache", "aching", "tight", "tightness", "pressure",
        "crushing", "squeezing", "heavy", "heaviness", "sore", "burning", "discomfort",
    ),
    "cardiac": ("heart attack", "angina", "chest pain", "chest pains", "chest tightness", "tight chest",
                "chestpain", "pain in my chest", "pains in my chest", "tightness in my chest"),
    "trauma": (
        "car accident", "car crash", "road accident", "traffic accident", "motorbike accident",
        "bike accident", "crash", "crashed", "collision", "rta", "hit by a car", "hit by a bus",
        "hit by a van", "knocked off my bike", "knocked down by a car", "rear ended", "rear-ended",
        "fell off a ladder", "fell off the ladder", "fell off a roof", "fell off the roof",
        "fell off a horse", "fell off my horse", "fell off my bike", "fell off a wall",
        "fell down the stairs", "fell down stairs", "fell down a flight of stairs", "fell from a ladder",
        "fell from the roof", "fell from height", "fall from height", "bad fall", "big fall",
        "serious fall", "nasty fall", "hard fall", "heavy fall", "terrible fall", "awful fall",
        "landed on my back", "thrown from", "fell off scaffolding", "fell from scaffolding",
        "accident at work", "was in an accident", "been in an accident", "had an accident",
        "tumbled down the stairs", "fell off a trampoline", "fell through",
        "serious accident", "bad accident", "fell off the loft", "fell out of the loft",
        "fell down the loft",
        "fell off", "came off my motorbike", "came off my bike", "came off my horse", "thrown off",
        "airbag", "airbags", "hit head on", "car was hit", "was hit by", "got hit by", "t-boned", "t boned",
        "written off", "car's totaled", "car is totaled", "car was totaled", "car's a write off",
    ),
    "self_harm": (
        "kill myself", "killing myself", "suicide", "suicidal", "end it all", "end my life",
        "ending my life", "ending it all", "take my own life", "taking my own life", "self harm",
        "self-harm", "self harming", "harm myself", "harming myself", "hurt myself on purpose",
        "want to hurt myself", "cut myself", "cutting myself", "better off dead",
        "better off without me", "no reason to live", "nothing to live for", "no point living",
        "no point in living", "no point going on", "no point in going on", "want to die",
        "wanna die", "wish i was dead", "wish i were dead", "wish i wasn't here", "not want to wake up",
        "can't go on", "cannot go on", "can not go on", "overdose",
        "take all my pills", "take all the pills", "end things", "ending things", "give up on life",
        "given up on life", "life isn't worth living", "life is not worth living", "not worth living",
        "everyone would be better off", "everybody would be better off", "would be better off without me",
        "they'd be better off without me", "point going on", "point in going on", "thoughts of ending", "ending it", "end it",
        "if i wasn't here", "if i was gone", "if i were gone", "if i weren't here", "all my tablets",
        "all my pills", "all my meds", "kil myself", "kill my self", "killing my self", "want it all to end",
        "not be here anymore", "not wake up", "disappear forever",
        "feel like hurting myself", "thinking about hurting myself", "thinking of hurting myself",
        "dark thoughts", "darker thoughts", "thoughts of suicide", "suicidal thoughts",
        "want to be dead", "wish i would die", "wish i'd die", "hope i die", "hope i don't wake up",
        "wish i'd never been born", "wish i was never born", "wish i had never been born",
        "wish i wasn't alive", "wish i weren't alive", "wish i was gone", "tired of living",
        "tired of being alive", "sick of living", "sick of being alive", "no reason to go on",
        "no reason to carry on", "wish i didn't exist", "stop existing", "wish it would all end",
        "want everything to end", "give up on everything", "giving up on everything",
        "what's the point anymore", "whats the point anymore", "what is the point anymore",
        "what's the point any more", "what is the point any more",
        "cutting my arms", "cut my arms", "cutting my wrists", "cut my wrists", "slit my wrists",
        "slitting my wrists", "cutting my legs", "burning myself", "burnt myself on purpose",
    ) + _DESPAIR,
    # An overdose planned in other words: a stockpile of medicine, or taking "the lot" of it. Each
    # completes self_harm only beside a medicine ("saving up for a new bed" is not one).
    "stockpile": (
        "stockpiling", "stockpile", "stockpiled", "hoarding", "hoarded", "stashing", "stashed",
        "saving up my", "saved up my", "been saving up", "saving them up", "saved them up", "squirrelling away",
        "squirreling away", "a stash of", "building up a stash", "built up a stash",
    ),
    "take_everything": (
        "the lot at once", "the lot in one go", "swallow the lot", "swallowing the lot", "the whole lot at once",
        "take the whole box", "taking the whole box", "take the whole packet", "taking the whole packet",
        "take the whole bottle", "taking the whole bottle", "swallow the whole", "swallowing the whole",
    ),
    "medication": (
        "pills", "tablets", "meds", "medication", "medicine", "medicines", "painkillers", "pain killers",
        "co-codamol", "cocodamol", "co codamol", "codeine", "paracetamol", "ibuprofen", "tramadol",
        "naproxen", "diazepam", "amitriptyline", "gabapentin", "pregabalin", "morphine", "oxycodone",
        "sleeping pills", "sleeping tablets", "antidepressants",
    ),
    # --- not a red flag: low mood without thoughts of self-harm ----------------------
    # "feeling down about the pain but managing", "a bit low today", "fed up with this back": empathy
    # and the article's advice on fear and anxiety (bot/triage.py), not the crisis line. Despair and
    # wishes to be dead stay in self_harm above, and win when both are said.
    "low_mood": (
        "feeling down", "feel down", "felt down", "feeling a bit down", "a bit down", "bit down",
        "so down", "really down", "quite down", "pretty down", "down about", "getting me down",
        "gets me down", "got me down", "getting me down a bit", "down in the dumps",
        "feeling low", "feel low", "felt low", "a bit low", "bit low", "feeling pretty low",
        "feeling quite low", "feeling really low", "feeling so low", "feeling very low", "low mood",
        "mood is low", "mood's low", "mood has been low", "mood's been low", "in low spirits",
        "low spirits", "fed up", "feeling fed up", "sick and tired of", "feeling blue", "a bit blue",
        "miserable", "feeling miserable", "feeling flat", "feeling rubbish", "feeling sad", "sad",
        "depressed", "feeling depressed", "a bit depressed", "depression", "depressing", "tearful",
        "in tears", "been crying", "feeling emotional", "demoralised", "demoralized", "disheartened",
        "discouraged", "feeling defeated", "grumpy", "down today", "low today",
    ),
    # --- tier 2 ---------------------------------------------------------------------
    "fever": (
        "fever", "feverish", "febrile", "high temperature", "a temperature", "running a temperature",
        "running a temp", "temperature of", "chills", "the chills", "shivers", "the shivers",
        "shivering", "shivery", "rigors", "night sweats", "sweating at night", "sweats at night",
        "drenching sweats", "hot and cold", "sweating buckets at night", "fevers", "a temp",
        "high temp", "temp of", "boiling hot then freezing", "hot then cold", "hot and then cold",
        "boiling then freezing", "hot then freezing", "sweating and shaking", "shaking and sweating",
    ),
    "weight_loss": (
        "lost weight", "losing weight", "weight loss", "lost a lot of weight", "losing a lot of weight",
        "weight is dropping", "weight has dropped", "weight dropping", "dropping weight", "dropped weight",
        "weight keeps dropping", "weight's dropping", "lost kg", "lost kilos", "lost pounds",
        "lost a stone", "lost two stone", "lost lbs", "clothes are falling off", "clothes hang off",
        "getting thinner", "wasting away", "lost a few kilos", "lost some weight", "dropped a dress size",
        "lost loads of weight", "lost so much weight", "pounds off", "kilos off", "shed weight",
        "loosing weight", "loosing a lot of weight",
        "lost any weight", "losing any weight", "lost much weight",
    ),
    # Weight loss told through clothes: "clothes are hanging off me", "jeans feel looser". Both
    # in one sentence ("wear loose clothes" names no change: the fit words are changes of fit).
    "clothing": (
        "clothes", "trousers", "jeans", "belt", "dress", "dresses", "skirt", "shirts", "waistband",
        "wedding ring", "rings", "clothing", "trackies", "joggers", "dress size", "trouser size",
    ),
    "loose_fit": (
        "hanging off me", "hang off me", "hangs off me", "hanging off my frame", "hanging off my hips",
        "hanging off my shoulders", "falling off me", "fall off me", "falls off me", "falling down",
        "are loose", "is loose", "feel loose", "feels loose", "are looser", "is looser", "feel looser",
        "feels looser", "getting looser", "gone loose", "are baggy", "is baggy", "feel baggy", "feels baggy",
        "gone baggy", "too big for me now", "too big now", "all too big", "new hole in my belt",
        "extra hole in my belt", "another hole in my belt", "tighter notch", "dropped a size", "down a size",
        "down two sizes", "slipping off", "slips off",
    ),
    "weight_explained": (
        "diet", "dieting", "diets", "on purpose", "intentionally", "deliberately", "slimming",
        "calorie", "calories", "weight watchers", "weightwatchers", "trying to lose", "want to lose",
        "need to lose", "meant to", "my goal", "ozempic", "wegovy", "fasting", "keto", "gym",
    ),
    "cancer": (
        "cancer", "cancers", "tumour", "tumor", "tumours", "tumors", "chemo", "chemotherapy",
        "radiotherapy", "radiation therapy", "oncologist", "oncology", "leukaemia", "leukemia",
        "lymphoma", "myeloma", "melanoma", "malignant", "malignancy", "metastatic", "metastases",
        "secondaries", "in remission", "sarcoma", "carcinoma",
        "bowel cancer", "bladder cancer", "cancor",
    ),
    "night_pain": (
        "worse at night", "bad at night", "worst at night", "worse in bed", "worse lying down",
        "worse when i lie down", "night pain", "pain at night", "at night it", "doesn't ease with rest",
        "does not ease with rest",
        "not eased by rest", "not easing with rest", "rest doesn't help", "rest does not help",
        "resting doesn't help", "resting does not help", "rest doesn't ease", "rest doesnt help",
        "resting doesnt help", "rest dosnt help", "resting dosnt help", "lying down doesn't help",
        "lying down does not help", "lying still doesn't help", "no position helps",
        "no position in bed helps", "no position in bed eases it", "no position eases it",
        "no position is comfortable", "even when i rest", "even at rest", "even when resting",
        "even lying still", "even when lying down", "even lying down", "even in bed", "constant at night",
        "throbbing at night", "can't sleep because of the pain", "can't sleep for the pain",
        "can't sleep with the pain", "cannot sleep for the pain", "can't sleep for pain",
        "unbearable at night", "worse when resting", "hurts more at night", "hurts at night",
        "agony at night", "up all night with", "at night its", "nights are worse",
        "night time is worse", "nighttime is worse", "worse at nighttime", "worse at night time",
        "woken by the pain", "woke up in agony", "wake up in agony", "wake up in pain every night",
        "even resting", "any position", "resting makes no difference", "rest makes no difference",
        "day and night", "night and day", "nothing settles it",
        "lying still at night", "more at night", "worse in the night", "worst in the night",
        "in bed at night", "even when i lie", "never stops", "never eases", "hurts more lying still",
        "hurts more lying down", "hurts more when lying down", "hurts more when i lie down",
        "hurts more when i'm lying down", "aches more lying down", "more pain lying down", "sorer lying down",
        "more sore lying down", "worse when lying", "worse lying flat", "hurts more lying flat",
        "worse when i'm lying down",
        # "it" in a back-pain chat is the pain: "it wakes me every night"
        "it wakes me", "it woke me", "it keeps waking me", "it's waking me", "it is waking me",
        "it keeps me awake", "it kept me awake",
    ),
    # Not eased by rest: nothing helps, said beside lying down, rest, bed or the night
    # (rule night_pain). "nothing eases it except lying down" is not one (bot.nlu.clinical).
    "unrelieved": (
        "nothing eases it", "nothing eases the pain", "nothing eases", "nothing helps", "nothing relieves it",
        "nothing relieves", "nothing settles", "nothing takes the edge off", "nothing shifts it",
        "nothing touches it", "no relief",
    ),
    "rest_position": (
        "lying down", "lie down", "lying flat", "lying still", "lying in bed", "in bed",
        "resting", "when i rest", "at rest", "laying down", "lay down",
    ),
    # Being woken, or kept awake, is night pain only when the pain (or the back) does it: "my back
    # woke me at 3am", "waking at 3am with the pain"; not "my alarm wakes me at 6" or "woke up at
    # 3am needing the loo". Rule night_pain: (night_wake, pain_subject) in one sentence.
    "night_wake": (
        "wakes me", "wakes me up", "waking me up", "woke me up", "woke me", "woken me", "woken up by",
        "wakes me at night", "wakes me from sleep", "wake me", "wake me up", "waking me",
        "wakes me up at night", "keeps waking me", "kept waking me", "keeps me awake",
        "keeps me up at night", "keeping me awake", "kept me awake", "kept me up", "woken by",
        "waking in the night", "wake in the night", "waking up in the night", "wake up in the night",
        "wakes me in the night", "woke in the night", "woke up in the night", "waking at 1", "waking at 2",
        "waking at 3", "waking at 4", "waking at 5", "waking up at 2", "waking up at 3", "waking up at 4",
        "wakes her", "wakes him", "wakes them", "keeps her awake", "keeps him awake",
    ),
    "pain_subject": (
        "pain", "pains", "painful", "ache", "aching", "backache", "sciatica", "hurts", "hurting",
        "agony", "throbbing", "throbs", "spasm", "spasms", "soreness", "my back", "the back",
        "this back", "back pain", "lower back", "low back", "nerve pain",
    ),
    "lump": (
        "lump", "lumps", "lum on my back", "lum on my spine", "bump on my spine", "bump on my back", "swelling on my spine",
        "swelling on my back", "swelling over my spine", "lump on my back", "lump on my spine",
        "shape of my back", "shape of my spine", "spine looks different", "back looks different",
        "spine looks crooked", "back looks crooked", "spine has changed", "back has changed shape",
        "spine has changed shape", "hump", "bulge on my back", "bulge on my spine", "bony bump",
        "sticking out of my back", "sticking out of my spine", "growth on my back", "mass on my back",
        "new curve", "crooked spine", "deformity", "lump near my spine", "lump by my spine",
        "funny shape", "odd shape", "strange shape", "different shape", "weird shape", "swelling over",
        "swelling on", "sticks out", "sticking out", "looks bent", "looks crooked", "looks twisted",
        "spine looks bent", "bent spine",
        "a new swelling", "new swelling", "a swelling", "swelling i can feel",
        "poking out of my back", "poking out of my lower back", "poking out of my spine", "poking out my back",
        "poking out on my back", "jutting out of my back", "protruding from my back", "protruding from my spine",
    ),
    # A change of shape told as a bone poking out: "one of the bones in my back is poking out".
    "protrusion": (
        "poking out", "pokes out", "poke out", "poking through", "jutting out", "juts out", "jut out",
        "sticking up", "sticks up", "protruding", "protrudes", "bulging out", "bulges out",
        "stands out more", "standing out more",
    ),
    "spine_part": (
        "spine", "spinal", "vertebra", "vertebrae", "backbone", "bone", "bones", "tailbone",
        "coccyx", "shoulder blade", "shoulder blades", "ribs", "rib",
    ),
    "fragile_bone": (
        "osteoporosis", "osteopenia", "brittle bones", "thin bones", "fragile bones", "bone thinning",
        "steroids", "steroid", "prednisolone", "prednisone", "long term steroids", "long-term steroids",
        "cortisone tablets", "dexamethasone", "hydrocortisone tablets", "weak bones",
    ),
    "trauma_word": ("falls", "accidents", "accident", "a fall", "injury", "injured", "fall", "fell", "fallen"),
    "night_mention": ("at night", "in the night", "overnight", "at nighttime", "at night time", "nights"),
    "steroid_injection": ("steroid injection", "steroid injections", "epidural", "injection", "injections", "nerve block"),
    "minor_trauma": (
        "fell", "fall", "fallen", "falling", "slipped", "slip", "tripped", "trip", "bumped", "knocked",
        "jolted", "jolt", "twisted", "sneezed", "coughed", "lifted", "lifting", "landed", "stumbled",
        "fell over", "hit my back", "banged my back", "missed a step", "sat down hard",
    ),
})

_WEIGHT_UNITS = ["kg", "kgs", "kilo", "kilos", "kilograms", "pound", "pounds", "lb", "lbs", "stone",
                 "st", "stones"]
# Concepts that need more than a phrase list: numbers ("lost 8kg", "dropped two stone").
TOKEN_PATTERNS: Mapping[str, list] = MappingProxyType({
    "weight_loss": [
        [{"NORM": {"IN": ["lost", "losing", "dropped", "dropping", "shed", "down"]}},
         {"NORM": {"IN": ["about", "around", "nearly", "almost", "over", "like", "roughly", "maybe",
                          "a", "some", "another", "at", "least", "more", "than", "just", "under"]},
          "OP": "*"},
         {"LIKE_NUM": True, "OP": "?"},
         {"NORM": {"IN": ["and", "a", "half", "or", "so", "odd", "-"]}, "OP": "*"},
         {"LOWER": {"IN": _WEIGHT_UNITS}}],
    ],
    "fever": [
        [{"NORM": {"IN": ["temperature", "temp", "temps"]}},
         {"NORM": {"IN": ["is", "of", "was", "at", "'s", "reached", "hit", "about", "around", "over",
                          "been", "has", "up", "to", "nearly", "almost"]}, "OP": "*"},
         {"LOWER": {"REGEX": r"^(3[89]|4[0-2]|10[0-5])([.,]\d)?(c|f|°c|°f|°)?$"}}],
    ],
})

# Feelings and star signs told with red-flag words (also IDIOMS and BLOCKED).
_FIGURES_OF_SPEECH: Tuple[str, ...] = (
    "lump in my throat", "lump in the throat", "lump in her throat", "lump in his throat",
    "lump in your throat", "lump in their throat", "sugar lump", "sugar lumps", "lump it",
    "cancer star sign", "star sign is cancer", "star sign's cancer", "star sign cancer", "starsign is cancer",
    "sign is cancer", "cancer season", "cancer horoscope", "typical cancer", "such a cancer",
)

# Sayings that sound like a red flag and are not one. A message whose only red-flag words
# are these (or denied ones) does not keep a red-flag prediction from the classifier.
IDIOMS: Tuple[str, ...] = (
    "killing me", "killing it", "dying to", "dying for", "cabin fever", "hay fever", "fell asleep",
    "fall asleep", "falling asleep", "fell behind", "fall behind", "crash course", "crashed out",
    "crash diet", "accident prone", "by accident", "chest of drawers", "chest press", "lump sum",
    "fell in love", "fall apart", "fell apart", "pain in the bum", "pain in the butt", "sugar crash",
    "computer crashed", "phone crashed", "app crashed", "football fever", "room temperature",
    "on my foot", "on my toe", "on my toes", *_FIGURES_OF_SPEECH,
)

# Phrases that contain a concept word but mean something else; matched, then ignored.
BLOCKED: Tuple[str, ...] = (
    "chest of drawers", "chest freezer", "chest press", "chest stretch", "chest stretches",
    "chest day", "chest fly", "chest flies", "chest opener", "treasure chest", "chest to",
    "chest expansion", "chest muscles", "fell asleep", "fall asleep", "falling asleep", "fallen asleep",
    "fall in love", "fell in love", "fall behind", "fell behind", "fall apart", "fell apart",
    "falls apart", "fall off the wagon", "fell off the wagon", "dying to", "killing me",
    "killing it", "weak tea", "weak coffee", "bottom line", "bottom of my back", "bottom of the back",
    "bottom of my spine", "bottom of the stairs", "from top to bottom", "rock bottom",
    "temperature outside", "room temperature", "water temperature", "lump sum", "crash course",
    "crash diet", "crashed out", "crashed on the sofa", "crashed on the couch", "computer crashed",
    "app crashed", "phone crashed", "market crash", "sugar crash", "crash mat", "feet up",
    "my feet up", "on my feet", "on your feet", "back on my feet", "get back on my feet",
    "cold feet", "feet first", "to my feet", "pain in the bum", "pain in the butt", "sweats me",
    "tracksuit bottoms", "bottoms", "accident prone", "by accident", "no accident", "happy accident",
    "toilet roll", "stop it", "don't stop", "start the", "start my", "start with", "hold on",
    "trip to", "a trip", "road trip", "day trip", "school trip", "trip away", "fall season",
    "free fall", "waterfall", "nightfall", "rainfall", "snowfall", "pitfall", "shortfall",
    "downfall", "fall of", "in the fall", "this fall", "last fall", "next fall", "cabin fever",
    "hay fever", "football fever", "cancer charity", "cancer research", "cancer shop", "cancer awareness",
    "cancer nurse", "cancer ward", "charity shop", "balls of my feet", "ball of my foot", "balls of my foot",
    "bowel screening", "drop off", "drop by", "dropped off", "drop in", "a drop of", "drop me",
    "end it there", "end it here", "ending it there", "end it early", "drag on", "drags on", "dragging on",
    "off my feet", "on my foot", "on my toe", "on my toes", "bike ride", "exercise bike", "spin bike", "stationary bike", "bike for",
    *_FIGURES_OF_SPEECH,
    # a disc bulging is the usual sciatica, not a change in the shape of the back
    "protruding disc", "disc protrusion", "disc protruding", "disc is protruding", "disc protrudes",
    "disc bulging out", "bulging out disc",
)


@dataclass(frozen=True)
class RedFlagRule:
    """How one red flag is recognised and how urgent it is."""

    reason: str
    tier: int
    needs: Tuple[str, ...]  # concepts that must all occur in one sentence (alternatives below)
    alternatives: Tuple[Tuple[str, ...], ...] = ()


RULES: Tuple[RedFlagRule, ...] = (
    RedFlagRule("self_harm", EMERGENCY, ("self_harm",),
                (("stockpile", "medication"), ("take_everything", "medication"))),
    RedFlagRule("bladder_bowel", EMERGENCY, ("continence",),
                (("continence_organ",), ("toilet_act", "control_problem"), ("toilet_attempt", "nothing_passes"))),
    RedFlagRule("saddle_numbness", EMERGENCY, ("saddle_anaesthesia",), (("saddle", "sensory"),)),
    RedFlagRule("both_legs", EMERGENCY, ("bilateral", "sensory"), (("bilateral", "weakness"),)),
    RedFlagRule("leg_weakness", EMERGENCY, ("foot_drop",),
                (("leg", "weakness", "worsening"), ("foot_part", "foot_motion"))),
    RedFlagRule("chest_pain", EMERGENCY, ("cardiac",), (("chest", "chest_symptom"),)),
    RedFlagRule("major_trauma", EMERGENCY, ("trauma",), (("fall_verb", "fall_from"),)),
    RedFlagRule("fever", URGENT, ("fever",)),
    RedFlagRule("weight_loss", URGENT, ("weight_loss",), (("clothing", "loose_fit"),)),
    RedFlagRule("cancer_history", URGENT, ("cancer",)),
    RedFlagRule("night_pain", URGENT, ("night_pain",),
                (("night_wake", "pain_subject"), ("unrelieved", "rest_position"), ("unrelieved", "night_mention"))),
    RedFlagRule("lump", URGENT, ("lump",), (("protrusion", "spine_part"),)),
    RedFlagRule("bone_fragility", URGENT, ("fragile_bone",)),
)
RULES_BY_REASON = MappingProxyType({rule.reason: rule for rule in RULES})

# Each phrase belongs to one concept (tests/test_triage.py checks it), except these, on purpose:
# every concept named here is one part of a two- or three-part rule, and the word plays its role
# in each ("feet" is a bilateral place, a leg and a foot; "pain" is a chest symptom and what wakes
# someone at night). A phrase of a concept that completes a red flag on its own is never shared:
# "chest pains" once sat in both the cardiac and the trauma lists and read as a major trauma too.
SHARED_ON_PURPOSE: Mapping[str, frozenset] = MappingProxyType({
    phrase: frozenset(concepts) for phrase, concepts in (
        ("legs", ("bilateral", "leg")),
        ("feet", ("bilateral", "leg", "foot_part")),
        ("foot", ("leg", "foot_part")), ("toes", ("leg", "foot_part")), ("ankle", ("leg", "foot_part")),
        ("can't lift", ("weakness", "foot_motion")),
        ("weaker", ("weakness", "worsening")),  # "my leg is weaker": weak and getting worse
        ("numb", ("control_problem", "sensory")),  # "my bladder feels numb"; "numb down there"
        ("accident", ("control_problem", "trauma_word")), ("accidents", ("control_problem", "trauma_word")),
        ("fall", ("trauma_word", "minor_trauma")),
        ("fell", ("fall_verb", "trauma_word", "minor_trauma")),
        ("fallen", ("fall_verb", "trauma_word", "minor_trauma")),
        ("overnight", ("worsening", "night_mention")),
        *((word, ("chest_symptom", "pain_subject"))
          for word in ("pain", "pains", "ache", "aching", "hurts", "hurting")),
    )
})

# Concepts too ordinary to say anything about red flags on their own: they don't count as
# a mention when deciding whether every red-flag mention in a message was denied.
NOT_MENTIONS = frozenset({"leg", "control_problem", "chest_symptom", "worsening", "weight_explained",
                          "steroid_injection", "foot_part", "toilet_act", "minor_trauma", "fall_verb",
                          "fall_from", "pain_subject", "low_mood", "stockpile", "take_everything",
                          "medication", "clothing", "loose_fit", "unrelieved", "rest_position",
                          "protrusion", "spine_part"})

# Words and phrases that show a message is about the body, pain, medical care or mood. A red flag
# that only the intent classifier sees must come with one of these (or an affirmed body part or
# symptom): DIET also calls "autumn leaves are falling, lovely walk" a red flag, at 0.999 on
# some trainings.
HEALTH_TERMS: Tuple[str, ...] = (
    "pain", "pains", "painful", "hurt", "hurts", "hurting", "ache", "aches", "aching", "achy", "sore",
    "agony", "sciatica", "symptom", "symptoms", "numb", "tingling", "swollen", "swelling", "lump",
    "bump", "bleeding", "blood", "rash", "pee", "peeing", "wee", "weeing", "poo", "pooing", "toilet",
    "loo", "bladder", "bowel", "bowels", "urine", "wet", "soiled", "sick", "vomit", "vomiting",
    "dizzy", "faint", "fainted", "breath", "breathless", "breathing", "heart", "chest",
    "temperature", "sweats", "sweating", "shaking", "rest", "resting", "doctor", "gp", "hospital",
    "a&e", "ambulance", "nurse", "physio", "scan", "x-ray", "mri", "diagnosed", "cancer", "tumour",
    "suicidal", "suicide", "die", "dying", "dead", "death", "live", "living", "alive", "life",
    "hopeless", "pointless", "worthless", "burden", "despair", "depressed", "depression", "cope",
    "coping", "kill", "harm", "overdose", "pills", "tablets", "exist", "disappear", "future",
    # the body where the entity lexicon stays out ("lying on my back"), and euphemisms
    "my back", "lower back", "low back", "upper back", "down below", "down there", "private parts",
    "privates", "waterworks", "my bits", "number two", "number twos",
)

# Words that keep a classifier's red-flag reading standing even beside a low-mood phrase: "so low,
# what's the point anymore" may be despair in words the rules don't know (bot/triage.py).
DESPAIR_TERMS: Tuple[str, ...] = (
    "hopeless", "no hope", "pointless", "point", "worthless", "burden", "despair", "die", "dying",
    "dead", "death", "alive", "live", "living", "life", "exist", "disappear", "future", "kill", "harm",
    "overdose", "pills", "tablets", "end", "ending", "give up", "giving up", "gave up", "anymore",
    "any more", "escape", "way out", "nothing left", "can't cope", "cannot cope", "not coping", "can't take", "cannot take",
    "can't do this", "go on", "carry on", "forever", "sleep", "wake up", "gone", "over",
)

# Statuses that may not cancel a concept's flag: a cancer in remission is still a history of
# cancer, and "what's the point in going on?" is despair, not a question about warning signs.
STATUS_PROOF: Mapping[str, frozenset] = MappingProxyType({
    "cancer": frozenset({RESOLVED}),
    "self_harm": frozenset({HYPOTHETICAL}),
    # "nothing helps, not even lying down": rest is named as failing, the pain is not denied
    "rest_position": frozenset({NEGATED}),
})

# Texting spellings too far from the word for the edit-distance correction below, read as it.
TEXTING_SPELLINGS: Mapping[str, str] = MappingProxyType({
    "nite": "night", "nites": "nights", "wurse": "worse", "wors": "worse", "dropd": "dropped",
    "lyin": "lying", "layin": "lying", "nuthin": "nothing", "nuffin": "nothing", "nothink": "nothing",
})
# Words worth correcting when misspelled ("numbnes", "bladdder", "feaver"): long and distinctive.
FUZZY_TARGETS: Tuple[str, ...] = (
    "bladder", "bowels", "numbness", "tingling", "tingly", "incontinent", "incontinence", "urinate",
    "suicidal", "suicide", "fever", "feverish", "chills", "shivering", "osteoporosis", "steroids",
    "tumour", "chemotherapy", "genitals", "buttocks", "accident", "collision", "weakness",
    "paralysed", "control", "sensation", "perineum", "prednisolone", "temperature", "numb",
    "shooting", "sciatica", "stiffness", "weight", "saddle", "wiping", "myself", "feeling", "chest",
    "cancer", "night", "giving", "weaker", "dragging", "trying", "bottom", "scaffolding", "ladder",
)
# Short words (4-5 letters) are corrected only to these, only with the same first letter,
# and never when the word is in SHORT_STOPWORDS: "legz" -> legs, "numm" -> numb, "weeak" -> weak.
SHORT_FUZZY_TARGETS: Tuple[str, ...] = ("legs", "numb", "weak", "lump", "feet", "toes", "fever", "chest",
                                         "night")
SHORT_STOPWORDS = frozenset({
    "lets", "legit", "leg", "lens", "less", "lest", "lags", "logs", "lugs", "nums", "numbs", "wean",
    "wear", "week", "weed", "weep", "weak", "wreak", "wake", "woke", "walk", "peak", "leak", "lamp",
    "lung", "lumpy", "lumps", "lump", "limp", "lamb", "lame", "fees", "feed", "feel", "feat", "fleet",
    "fret", "free", "flee", "foot", "fret", "tees", "toss", "tons", "toe", "toad", "tote", "tops",
    "fewer", "never", "lever", "fiver", "fever", "cheat", "cheap", "chess", "chart", "crest", "chase",
    "chef", "chews", "wheat", "what", "well", "went", "were", "west", "weakly", "leggy", "numbs",
    "tomes", "toned", "tones", "those", "tore", "torn", "tour", "town", "tows", "ties", "tied", "time",
    "legal", "lends", "lefts", "left", "felt", "feat", "fete", "fleas", "flew", "fees", "feast",
    "lumb", "lamps", "numbr", "feets", "legs", "numb", "toes", "feet", "chest", "weekly", "weeks",
})
FUZZY_STOPWORDS = frozenset({
    "ladder", "ladders", "cancel", "cancels", "sweets", "bowls", "bowler", "number", "numbers",
    "tumble", "fevered", "weigh", "weighs", "eighty", "height", "heights", "weights", "paddle",
    "saddled", "wiring", "wiling", "peeling", "feeding", "reeling", "heeling", "healing", "dealing",
    "sealing", "ceiling", "seeing", "fleeing", "controls", "clones", "chilli", "chillis", "chilled",
    "shivered", "sation", "wishing", "wiping", "tinkling", "mingling", "tinging", "singling",
    "jingling", "fevers", "yourself", "himself", "herself", "itself", "feelings", "feeling",
    "myself", "weaken", "ruling", "rattling", "settling",
})
