"""The fear reply as the action gives it: the first step comes from the person's own plan."""
from datetime import datetime

from rasa_sdk.executor import CollectingDispatcher

from actions.info import ActionFearReassurance
from bot.knowledge import default_knowledge_base


async def reply(tracker, domain):
    dispatcher = CollectingDispatcher()
    await ActionFearReassurance().run(dispatcher, tracker, domain)
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_scared_to_bend_gets_bending_and_a_flexion_step_from_todays_plan(store, tracker_factory, domain):
    text = await reply(tracker_factory("I'm scared to bend", "express_fear"), domain)
    assert "Bending forward is a normal, safe movement" in text
    assert "Start small: " in text
    # A bending or neutral exercise from the plan (it rotates by date), else pelvic tilts;
    # never a straight-leg hamstring stretch, which is not a bending step.
    fitting = [e.name.lower() for e in default_knowledge_base().exercises
               if e.direction in ("flexion", "flexion_extension", "neutral")
               and "hamstrings" not in e.muscles and e.category != "aerobic"]
    assert ("pelvic tilts" in text
            or any(f"try the {name} from today's plan" in text for name in fitting)), text
    assert "hamstring" not in text.lower()


async def test_no_exercise_step_while_a_red_flag_is_open(store, tracker_factory, domain):
    store.record_escalation("tester", 2, "fever", datetime.utcnow())
    text = await reply(tracker_factory("I'm scared to bend", "express_fear"), domain)
    assert "won't suggest exercises yet" in text
    assert "Start small" not in text
