"""The feature flags in cdk.json: every synth applies them (the CDK CLI's,
`python -m infra.app`, the tests'), and `cdk synth` through the CLI pinned in
package.json finds none left unconfigured. The CLI tests need node_modules
(`make install`) and are skipped without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from infra import app as infra_app
from infra.app import cdk_json_context
from infra.site_stack import PROJECT_ROOT

CDK_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"
# The flags `cdk init` writes into a new project's cdk.json, as this CLI ships them.
RECOMMENDED_FLAGS = (
    PROJECT_ROOT / "node_modules/aws-cdk/lib/init-templates/.recommended-feature-flags.json"
)
NOTICE = "feature flags are not configured"

needs_cli = pytest.mark.skipif(
    not CDK_CLI.exists(), reason="the CDK CLI is not installed (make install)"
)


def run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed commands)
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def cdk_json_flags() -> dict[str, object]:
    return {name: value for name, value in cdk_json_context().items() if name.startswith("@")}


def test_cdk_json_sets_feature_flags() -> None:
    assert len(cdk_json_flags()) > 50


def test_stacks_in_the_tests_get_the_flags(site_stack: cdk.Stack) -> None:
    flags = cdk_json_flags()
    assert {name: site_stack.node.try_get_context(name) for name in flags} == flags


def test_plain_synth_reports_every_flag_configured(
    bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m infra.app` (main), judged as the CLI judges: by the flag report
    in the cloud assembly."""
    monkeypatch.delenv("CDK_OUTDIR", raising=False)
    monkeypatch.setattr(infra_app, "DEFAULT_OUTDIR", tmp_path)
    monkeypatch.setattr(infra_app, "DEFAULT_BUNDLE_DIR", bundle_dir)
    infra_app.main()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    [report] = [
        artifact["properties"]["flags"]
        for artifact in manifest["artifacts"].values()
        if artifact["type"] == "cdk:feature-flag-report"
    ]
    configured = {name: flag["userValue"] for name, flag in report.items() if "userValue" in flag}
    assert configured == {name: value for name, value in cdk_json_flags().items() if name in report}


@needs_cli
def test_cdk_json_sets_every_flag_the_pinned_cli_recommends() -> None:
    recommended = json.loads(RECOMMENDED_FLAGS.read_text(encoding="utf-8"))
    context = cdk_json_context()
    assert {name: context.get(name) for name in recommended} == recommended


@needs_cli
def test_cli_synth_prints_no_feature_flag_notice(bundle_dir: Path, tmp_path: Path) -> None:
    # This interpreter stands in for cdk.json's `.venv/bin/python` (the same
    # environment when run from `make test`).
    command = [
        str(CDK_CLI), "synth", "--quiet", "--app", f"{sys.executable} -m infra.app",
        "--output", str(tmp_path / "cdk.out"), "-c", f"bundle_dir={bundle_dir}",
    ]  # fmt: skip
    result = run(command, {"CDK_DISABLE_CLI_TELEMETRY": "true"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert NOTICE not in output
