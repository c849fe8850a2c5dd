"""rasa_plugins against Rasa's own classes, in the rasa env (run by tests/e2e/test_rasa_plugins.py):

    .venv-rasa/bin/python -m tests.rasa_env.plugins_check DIRECTORY

- LeanSQLTrackerStore and Rasa's SQLTrackerStore read the same trackers from the same table (current session and
  all sessions), and each reads what the other wrote, row for row, including across a session start and a
  save of a tracker this process did not retrieve (the count fallback).
- The action-response check accepts and rejects exactly what Rasa's does, with the same error message.
- A new session carries one slot event per slot, and replaying them gives every slot the value Rasa's carries give.
- The intent classifier's weights, laid out column-major, score rows exactly as Rasa's row-major ones do.
- The feature rows both classifiers read are the matrix Rasa's ``_create_X`` builds, value for value.
Prints one line per check and exits 1 on the first difference.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import jsonschema
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_plugins import action_response
from rasa_plugins import session_start as carried_slots
from rasa_plugins.tracker_store import LeanSQLTrackerStore

PROJECT = Path(__file__).resolve().parents[2]


def turn(text: str, intent: str, at: float, slots: dict[str, Any]) -> list[Event]:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}, [], timestamp=at),
        ActionExecuted("action_answer", timestamp=at + 0.1),
        BotUttered(
            "答：" + text, {"custom": {"kind": "answer", "citations": [{"ref": "guizhou/17"}]}}, timestamp=at + 0.2
        ),
        *[SlotSet(name, value, timestamp=at + 0.3) for name, value in slots.items()],
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


def session_start(at: float, slots: dict[str, Any]) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at + 0.01),
        *[SlotSet(name, value, timestamp=at + 0.02) for name, value in slots.items()],
        ActionExecuted("action_listen", timestamp=at + 0.03),
    ]


def state(tracker: DialogueStateTracker | None) -> Any:
    assert tracker is not None
    return tracker.current_state(EventVerbosity.ALL)


async def check_tracker_stores(directory: Path, domain: Domain) -> None:
    url = f"sqlite:///{directory / 'tracker.sqlite3'}"
    rasa_store = SQLTrackerStore(domain, host=url)
    lean_store = LeanSQLTrackerStore(domain=domain, host=url)
    sender = "web-check-0001"
    first = {"region": "guizhou", "last_question": "贵州企业海外维权找谁"}
    tracker = DialogueStateTracker.from_events(
        sender,
        [*session_start(1.0, {}), *turn("贵州企业海外维权找谁", "overseas_assistance", 2.0, first)],
        domain.slots,
    )
    await rasa_store.save(tracker)
    assert state(await lean_store.retrieve(sender)) == state(await rasa_store.retrieve(sender))
    print("same tracker read by both stores: ok")

    # Lean appends a turn and a new session to the tracker it retrieved; Rasa reads exactly that back.
    lean_tracker = await lean_store.retrieve(sender)
    assert lean_tracker is not None
    for event in [
        *turn("那西藏呢？", "nlu_fallback", 3.0, {"region": "xizang"}),
        *session_start(4.0, {"region": "xizang"}),
    ]:
        lean_tracker.update(event, domain)
    await lean_store.save(lean_tracker)
    for event in turn("什么时候完成？", "ask_deadline", 5.0, {"last_kind": "answer"}):
        lean_tracker.update(event, domain)
    await lean_store.save(lean_tracker)  # a second save of the same tracker: only the new turn is written
    assert state(await lean_store.retrieve(sender)) == state(await rasa_store.retrieve(sender))
    assert state(await lean_store.retrieve_full_tracker(sender)) == state(
        await rasa_store.retrieve_full_tracker(sender)
    )
    current = await rasa_store.retrieve(sender)
    assert current is not None and current.get_slot("region") == "xizang"
    assert [e for e in current.events if isinstance(e, SessionStarted)] == [SessionStarted(timestamp=4.01)]
    full = await rasa_store.retrieve_full_tracker(sender)
    assert full is not None and len(full.events) == 23  # 9 + 5 + 4 + 5
    print("lean writes across a session start, Rasa reads the same: ok")

    # A tracker this process did not retrieve (built elsewhere): the count decides what is new, as in Rasa.
    elsewhere = await rasa_store.retrieve(sender)
    assert elsewhere is not None
    for event in turn("谢谢", "thank", 6.0, {}):
        elsewhere.update(event, domain)
    await lean_store.save(elsewhere)
    assert state(await rasa_store.retrieve(sender)) == state(elsewhere)
    assert await lean_store.retrieve("web-nobody") is None and await rasa_store.retrieve("web-nobody") is None
    print("save of a tracker retrieved elsewhere (count fallback): ok")


def check_action_response() -> None:
    action = RemoteAction("action_answer", None)
    rasa_check = RemoteAction._validate_action_result
    valid = {"events": [{"event": "slot", "name": "region", "value": "guizhou"}], "responses": [{"text": "答"}]}
    invalid = [
        {"events": [{"event": "slot", "name": 3}]},
        {"events": "not a list"},
        {"events": [{"event": "user", "text": None, "parse_data": "x"}], "responses": [{}]},
        {"events": [{"name": "x"}]},
        {"events": [{"event": "nonsense"}]},
        {"responses": "x"},
    ]
    action_response.install()
    assert RemoteAction._validate_action_result is not rasa_check
    assert action._validate_action_result(valid) is True and rasa_check(action, valid) is True
    for response in invalid:
        outcomes = []
        for check in (rasa_check, RemoteAction._validate_action_result):
            try:
                outcomes.append(("accepted", check(action, response)))
            except jsonschema.ValidationError as error:
                outcomes.append(("rejected", error.message))
        assert outcomes[0][0] == "rejected" and outcomes[0] == outcomes[1], outcomes
    print("action responses: same verdicts and messages as Rasa's check: ok")


def check_session_start(domain: Domain) -> None:
    events: list[Event] = [*session_start(1.0, {})]
    for index, region in enumerate(["guizhou", "xizang", None, "guangxi", "yunnan"]):
        slots = {"region": region, "last_question": f"问题{index}", "pending_question": None if index % 2 else "问"}
        events += turn(f"问题{index}", "overseas_assistance", 2.0 + index, slots)
    tracker = DialogueStateTracker.from_events("web-check-0002", events, domain.slots)
    rasas = ActionSessionStart._slot_set_events_from_tracker(tracker)
    ours = carried_slots.latest_slot_events(tracker)
    assert len(rasas) == 15 and len(ours) == 3, (len(rasas), len(ours))

    def replayed(carried: list[SlotSet]) -> dict[str, Any]:
        fresh = DialogueStateTracker.from_events("web-check-0003", [SessionStarted(), *carried], domain.slots)
        return fresh.current_slot_values()

    assert replayed(ours) == replayed(rasas) == tracker.current_slot_values()
    carried_slots.install()
    assert ActionSessionStart._slot_set_events_from_tracker(tracker) == ours
    print("session start: one event per slot, the same slot values as Rasa's carries: ok")


def check_intent_classifier() -> None:
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    rows = scipy.sparse.random(40, 500, density=0.02, format="csr", random_state=7) * 3
    labels = np.random.default_rng(20261130).integers(0, 5, rows.shape[0])
    clf = LogisticRegression(max_iter=200).fit(rows, labels)
    before = clf.predict_proba(rows)
    clf.coef_ = np.asfortranarray(clf.coef_)  # what rasa_plugins.intent_classifier does once
    assert np.array_equal(clf.predict_proba(rows), before)
    print("intent classifier: column-major weights give the same scores: ok")


def check_feature_rows() -> None:
    """rasa_plugins.features builds the matrix Rasa's LogisticRegressionClassifier._create_X builds, value for value:
    three sparse featurizers with sentence and sequence features, in their order, another attribute's features
    left out, a message with no features at all; and the second classifier gets the row the first one built."""
    import numpy as np
    import scipy.sparse
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier as Rasa
    from rasa.shared.nlu.constants import ACTION_TEXT, FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from rasa_plugins.features import feature_matrix

    rng = np.random.default_rng(20261204)
    widths = {"RegexFeaturizer": 12, "CountVectorsFeaturizer_words": 300, "CountVectorsFeaturizer_chars": 900}
    messages = []
    for index in range(60):
        message = Message({TEXT: f"消息{index}"})
        tokens = int(rng.integers(1, 9))
        for origin, width in widths.items():
            density = 0.3 if width < 50 else 0.02
            sentence = scipy.sparse.random(1, width, density=density, format="coo", random_state=index) * 2
            sequence = scipy.sparse.random(tokens, width, density=density, format="coo", random_state=index + 99)
            message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin))
            message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
        other = scipy.sparse.random(1, 7, density=0.5, format="coo", random_state=index)
        message.add_features(Features(other, FEATURE_TYPE_SENTENCE, ACTION_TEXT, "CountVectorsFeaturizer_words"))
        messages.append(message)
    ours, theirs = feature_matrix(messages), Rasa._create_X(None, messages)  # type: ignore[arg-type]
    assert ours.shape == theirs.shape == (60, sum(widths.values())), (ours.shape, theirs.shape)
    assert (scipy.sparse.csr_matrix(theirs) != ours).nnz == 0
    assert feature_matrix(messages[:1])[0].toarray().tolist() == ours[0].toarray().tolist()
    empty = [Message({TEXT: "空"})]
    assert feature_matrix(empty).shape == Rasa._create_X(None, empty).shape  # type: ignore[arg-type]
    print("feature rows: the same matrix as Rasa's _create_X, built once per message: ok")


def main() -> int:
    directory = Path(sys.argv[1])
    domain = Domain.load(PROJECT / "domain.yml")
    asyncio.run(check_tracker_stores(directory, domain))
    check_action_response()
    check_session_start(domain)
    check_intent_classifier()
    check_feature_rows()
    return 0


if __name__ == "__main__":
    sys.exit(main())
