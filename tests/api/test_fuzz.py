"""The fuzz: Schemathesis (4.x) drives every operation of the API's own
OpenAPI document through the WSGI application, with valid and with invalid
input, a bounded number of examples each (a minute or two in all).

Every answer must be no 5xx, a status the document lists, JSON of the
declared schema, and never name a draft or a scheduled story.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Examples per operation and mode: 14 operations x 2 modes x this.
EXAMPLES = 12
HIDDEN_MARKERS = ("DRAFTMARKER", "SCHEDULEDMARKER", "draftmarker", "scheduledmarker")


@schemathesis.check
def no_hidden_story(ctx, response, case):
    """No draft or scheduled story's marker in any answer (search repeats
    the words asked for: its items are looked at)."""
    if "/search" in case.path:
        if response.status_code != 200:
            return True
        text = str(response.json()["items"])
    else:
        text = response.text
    for marker in HIDDEN_MARKERS:
        if marker in text:
            raise AssertionError(f"{marker} appeared in {case.path}")
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    no_hidden_story,
]


@pytest.fixture
def one_connection():
    """The WSGI handler closes the database connection after each request
    (``close_old_connections``), which would close the test's transaction on
    PostgreSQL; Django's test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations():
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application()
    )
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_survives_any_input_and_keeps_to_its_schema(
    newsroom, one_connection, mode
):
    found = operations()
    assert len(found) == 14
    for operation in found:
        if mode is GenerationMode.NEGATIVE and not (
            len(operation.path_parameters) or len(operation.query)
        ):
            continue  # nothing to send wrong (GET /sections)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):
            case.call_and_validate(checks=CHECKS)

        fuzz()
