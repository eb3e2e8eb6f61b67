"""Schemathesis against ``/openapi.json``, in process over ASGI, signed in with a token of every scope.

Every operation gets a bounded number of generated requests (valid and invalid); each answer must not be
a server error, and documented answers must match their schema and content type. The whole run is kept
well under a minute (``MAX_EXAMPLES`` per operation, no shrinking, no database of examples).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

MAX_EXAMPLES = 50


def test_api_conforms(app, people) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {people.tokens['all']}"}
    seen = []

    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call(headers=headers)
            case.validate_response(
                response,
                checks=[
                    checks.not_a_server_error,
                    checks.response_schema_conformance,
                    checks.content_type_conformance,
                ],
            )
            assert response.status_code not in (401, 403), (case.path, response.status_code)

        run()
    assert len(seen) == 24, seen
