"""The Rasa server as the product runs it: ``python -m nlu_runtime.server run …`` takes `rasa`'s arguments.

One difference from ``rasa run``: Rasa 3.6 checks every answer of the action server with
``jsonschema.validate(result, schema)``, and that function first validates the *schema* against the
draft 2020-12 metaschema, on every call. Profiling the server under load (py-spy, BENCHMARKS.md,
section conversations) put about 30 % of its CPU per message there. The schema is a constant, so
here it is checked once and compiled once; every answer is still validated against it, and an
invalid one fails exactly as before (same exception, same message).
"""

from __future__ import annotations

from typing import Any


def compile_action_response_validation() -> None:
    """Make `RemoteAction` validate action-server answers with a validator compiled once."""
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # What jsonschema.validate() does after its schema check.
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def main() -> None:
    compile_action_response_validation()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
