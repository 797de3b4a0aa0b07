"""Schemathesis against /openapi.json: requests generated from the API's own description
(valid and invalid parameters, odd bodies) never get a server error, with an analyst's
token. Bounded: 25 derandomised examples an operation, so CI stays quick and the same cases
run every time. The workspace is built when the module is collected (a 200-customer demo,
two seconds): the schema must exist before the tests are generated from it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from touchpoints.api.app import create_app
from touchpoints.demo import build_demo
from touchpoints.services.access import create_token
from touchpoints.services.workspace import Workspace

SCRATCH = Path(tempfile.mkdtemp(prefix="touchpoints-fuzz-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
build_demo(SCRATCH / "ws", customers=200, seed=11)
TOKEN = create_token(Workspace.open(SCRATCH / "ws"), "analyst").token
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SCRATCH / "ws"))


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
    )
