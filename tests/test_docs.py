"""What the READMEs claim agrees with the project: the Node.js minimum is the
pinned CDK CLI's, and the example of "another stage" is not the default one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .baking import TEMPLATE_DIR, bake

NODE_CLAIM = re.compile(r"Node\.js (\d+)(?:\+| or newer)")
DEPLOY_ANOTHER_STAGE = re.compile(r"make deploy STAGE=(\S+)\s+# another stage")


@pytest.fixture(params=["dev", "prod"], scope="module")
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[Path, dict[str, Any]]:
    return bake(cookies_session, {"stage": request.param})


def cdk_cli_minimum_node(project: Path) -> int:
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    engines = lock["packages"]["node_modules/aws-cdk"]["engines"]["node"]
    found = re.fullmatch(r">=\s*(\d+)(?:\.\d+)*", engines)
    assert found, engines
    return int(found.group(1))


def test_both_readmes_state_the_cdk_clis_node_minimum(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    minimum = cdk_cli_minimum_node(project)
    for readme in (TEMPLATE_DIR / "README.md", project / "README.md"):
        claims = NODE_CLAIM.findall(readme.read_text(encoding="utf-8"))
        assert claims, f"{readme.name} states no Node.js minimum"
        assert {int(claim) for claim in claims} == {minimum}, readme


def test_another_stage_example_is_not_the_default_stage(baked: tuple[Path, dict]) -> None:
    project, context = baked
    examples = DEPLOY_ANOTHER_STAGE.findall((project / "README.md").read_text(encoding="utf-8"))
    assert examples
    assert context["stage"] not in examples
