"""Rasa's check of an action server's response, with the schema checked once instead of on every call.

Rasa 3.6 validates every custom action's response with ``jsonschema.validate(result, spec)``, which first checks
the constant ``spec`` against the JSON Schema meta-schema: 1.4 of the 1.9 ms the check takes, 13–17 % of Rasa's
CPU under load (bench/results/levers.md). ``install()`` replaces that method with one that validates against a
validator built once from the same spec, raising the same error with the same message.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(spec)
    cls.check_schema(spec)  # what jsonschema.validate does on every call, done once
    return cls(spec)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = jsonschema.exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
