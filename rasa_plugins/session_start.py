"""Rasa's session start, carrying each slot over once instead of every slot event the session ever had.

Rasa 3.6's ``ActionSessionStart`` copies every ``SlotSet`` of the ending session into the new one. Our answer
action sets six slots per turn, so each new session began with all the slot events of every session before it:
turn 500 still read ~2,000 of them (bench/results/levers.md), and a new session did not make a long conversation
cheaper. ``install()`` makes it carry the latest ``SlotSet`` of each slot, in the order they were last set:
replayed, they give every slot the same value (and metadata) as Rasa's list does.
"""

from __future__ import annotations

from rasa.core.actions.action import ActionSessionStart
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker


def latest_slot_events(tracker: DialogueStateTracker) -> list[SlotSet]:
    latest: dict[str, SlotSet] = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            latest.pop(event.key, None)  # re-inserted: the order is that of the last setting
            latest[event.key] = event
    return [SlotSet(key=event.key, value=event.value, metadata=event.metadata) for event in latest.values()]


def install() -> None:
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(latest_slot_events)  # type: ignore[method-assign]
