"""schemathesis against the API's own OpenAPI schema: generated requests to every operation, a fixed number of
examples each, derandomised (the same requests on every run): no 5xx, and every response — status code, content
type, headers, body — as the schema declares it."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tongxin.api import api
from tongxin.tests.api_data import api_county

EXAMPLES_PER_OPERATION = 12
# What the issue asks: no 5xx, nothing the schema does not declare. Not "positive data acceptance": a filter's
# id that is well-formed but names no category the user may choose is refused (422) like on the list page.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]

# Loaded from the API object itself (schemathesis' lazy fixture loader does not run under this pytest).
# Fuzzing only, with a fixed example count: the coverage phase's boundary cases grow without a bound we set.
# No schemathesis.toml is read (config given), and no hypothesis example database is written (database=None).
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.fixture
def county_staff_headers(db):
    """A county-wide read-write token, on a county with records of each kind. Requests go through Django's WSGI
    application on the test database; like Django's test client, a request must not close the database
    connection at its end: that connection holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield api_county().headers
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(case, county_staff_headers):
    case.call_and_validate(headers=county_staff_headers, checks=CHECKS)
