"""Every operation of the platform's OpenAPI document, fuzzed by schemathesis against the real server.

Checks: no 5xx, responses conform to their own schema, status codes and content types are documented,
invalid input is rejected. Failures found here become regular tests under tests/<app>/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_openapi_operations_survive_fuzzing(server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{server}/api/v1/openapi.json",
            "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
                        "content_type_conformance,negative_data_rejection",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", "60",
            "--workers", "2",
            "--seed", "20261130",
            "--report", "junit", "--report-dir", str(ARTIFACTS / "schemathesis"),
        ],
        capture_output=True, text=True, timeout=900, check=False,
    )
    (ARTIFACTS / "schemathesis.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
