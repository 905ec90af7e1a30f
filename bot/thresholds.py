"""Every clinical and coaching threshold, in one place (clinical-guidance.md).

Pure constants. Rules, the planner, coaching, progress and nudges import them
from here, so a number the article gives ("20-30 minutes", "more than two
weeks", "2 points or 30%") is written down once.
"""
from __future__ import annotations

# --- episode phases by days since onset -------------------------------------
ACUTE_MAX_DAYS = 13        # < 2 weeks: gentle movement, walking, pool, stretching
SUBACUTE_MAX_DAYS = 84     # 2-12 weeks: add strengthening and stabilization
# "See a physician if it lasts more than a few weeks to a month": said once per episode.
SEE_A_DOCTOR_DAYS = 28

# --- meaningful change on the 0-10 pain scale (MCID) ------------------------
MEANINGFUL_POINTS = 2.0
MEANINGFUL_FRACTION = 0.30

# --- walking and aerobic conditioning ---------------------------------------
WALK_TARGET_MIN = 20       # continuous minutes at a steady pace: the article's 20-30
WALK_TARGET_MAX = 30
GOAL_MINUTES = WALK_TARGET_MAX  # the conditioning goal the plan builds toward
HIGH_PAIN = 7.0            # at or above this score the plan turns gentle
# A session said to last longer than a day is a misreading, not a session: logged without minutes.
MAX_SESSION_MINUTES = 24 * 60

# --- time windows ------------------------------------------------------------
WEEK_DAYS = 7              # "this week" = today and the 6 days before it
# A pain score older than this many days no longer sets today's plan intensity.
SCORE_FRESH_DAYS = 2

# What set off spreading pain is kept out of plans for this long after it was said.
TRIGGER_MEMORY_DAYS = 14
# What helped pain retreat is preferred for this long.
HELPED_MEMORY_DAYS = 28
# The plan's aerobic kind is the one chosen most often in this many days (today included).
AEROBIC_KIND_DAYS = 14
# A turn reads a person's logs from this many days back (bot.store.CoachStore.profile),
# plus facts about the rest: the longest look-back of the rules above, and two days
# because a person's local day can be a day either side of the UTC date of a log.
PROFILE_WINDOW_DAYS = max(WEEK_DAYS, SCORE_FRESH_DAYS, TRIGGER_MEMORY_DAYS, HELPED_MEMORY_DAYS,
                          AEROBIC_KIND_DAYS) + 2

# --- the daily check-in ---------------------------------------------------------
# A check-in question the person turns away from (asks or logs something else instead) is
# asked again this many times; when they turn away from it once more it is skipped for the
# day, as "not sure" skips it, and the check-in ends with what is known.
CHECKIN_REASKS_AFTER_DIGRESSION = 1

# --- sleep ------------------------------------------------------------------
SHORT_SLEEP_HOURS = 6.0

# --- nudges (reminders the coach sends first) --------------------------------
# A nudge more than this late (after downtime) is skipped and recorded, never sent.
NUDGE_LATE_HOURS = 2
# At most this many nudges reach a person on one local day.
NUDGE_DAILY_CAP = 2
# After this many nudges in a row go unanswered, nudge only every other day and offer a pause.
NUDGE_BACKOFF_UNANSWERED = 3
# A person who wrote within this many minutes is mid-conversation: the nudge waits.
NUDGE_DEFER_MINUTES = 5
# The sent nudges the send-time checks look at: today and the days before, this many local days.
NUDGE_HISTORY_DAYS = WEEK_DAYS
