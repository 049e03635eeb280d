"""Bake projects with non-default answers, synthesize each one's CDK app, and check
the CloudFormation template carries the answers and every template passes cfn-lint
for its own stack's region with the project's own .cfnlintrc. One set is
synthesized as the deploy job does it from a fresh clone (the deploy dependency
group, `make build`, the pinned CDK CLI); the other as the CDK CLI runs the app
(`python -m infra.app` with context, offline, against a stand-in Lambda bundle)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .baking import TEMPLATE_DIR, bake, run

# Each answer differs from the default and from the other set.
ANSWER_SETS: dict[str, dict[str, str]] = {
    # AWS::Budgets::Budget is missing from eu-north-1's CloudFormation registry: the
    # budget goes to its own stack in us-east-1.
    "eu-staging-x86": {
        "project_name": "Shop Front",
        "aws_region": "eu-north-1",
        "stage": "staging",
        "python_version": "3.12",
        "architecture": "x86_64",
        "lambda_memory_mb": "512",
        "lambda_timeout_seconds": "15",
        "price_class": "PriceClass_200",
        "cache_default_ttl_seconds": "60",
        "cache_max_ttl_seconds": "600",
        "throttle_rate_limit": "7.5",
        "throttle_burst_limit": "15",
    },
    # The longest name (in UTF-16 code units, as AWS counts), slug and stage, so
    # the longest function description and CloudFront names; caching off.
    "longest-names-no-cache": {
        "project_name": "\U0001f680" * 100,
        "project_slug": "a-project-slug-of-28-letters",
        "aws_region": "ap-southeast-2",
        "stage": "preproduction-01",
        "python_version": "3.14",
        "architecture": "arm64",
        "lambda_memory_mb": "1024",
        "lambda_timeout_seconds": "5",
        "price_class": "PriceClass_All",
        "cache_default_ttl_seconds": "0",
        "cache_max_ttl_seconds": "0",
        "throttle_rate_limit": "2",
        "throttle_burst_limit": "3",
    },
}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
JSII_QUIET = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


class Synthesized:
    """A baked project, the folder its CDK app wrote to and the stage's template."""

    def __init__(self, project: Path, answers: dict[str, Any], outdir: Path):
        self.project = project
        self.answers = answers
        self.outdir = outdir
        self.template = template_of(outdir, answers)

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in self.template["Resources"].values() if r["Type"] == resource_type]

    def one(self, resource_type: str) -> dict[str, Any]:
        [resource] = self.of_type(resource_type)
        return resource["Properties"]

    def answer(self, key: str) -> str:
        return str(self.answers[key])

    def site_function(self) -> dict[str, Any]:
        """The site's Lambda function (the other is CDK's deploy-time upload of static files)."""
        handler = f"{self.answer('package_name')}.lambda_handler.handler"
        [function] = [
            resource["Properties"]
            for resource in self.of_type("AWS::Lambda::Function")
            if resource["Properties"]["Handler"] == handler
        ]
        return function


# Synthesized the deploy job's way, which installs (minutes): marked slow, so it starts first.
AS_THE_DEPLOY_JOB = "eu-staging-x86"


def answer_set_param(name: str) -> Any:
    """One worker synthesizes each answer set and runs all of its tests."""
    marks = [pytest.mark.xdist_group(f"infra-{name}")]
    if name == AS_THE_DEPLOY_JOB:
        marks.append(pytest.mark.slow)
    return pytest.param(name, marks=marks)


@pytest.fixture(params=[answer_set_param(name) for name in ANSWER_SETS], scope="module")
def synthesized(
    request: pytest.FixtureRequest, cookies_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> Synthesized:
    """Bake the answer set and synthesize the project's default stage."""
    project, answers = bake(cookies_session, ANSWER_SETS[request.param])
    if request.param == AS_THE_DEPLOY_JOB:
        outdir = synth_as_the_deploy_job(project, answers)
    else:
        synth, outdir = synth_project(project, tmp_path_factory)
        assert synth.returncode == 0, synth.stderr[-4000:]
    return Synthesized(project, answers, outdir)


def synth_as_the_deploy_job(project: Path, answers: dict[str, Any]) -> Path:
    """What the deploy job does before it touches AWS, from a fresh clone: only the
    deploy dependency group, the Lambda bundle, the pinned CDK CLI's synth."""
    environment = {"GROUP": "deploy", **JSII_QUIET}
    built = run(["make", "build"], cwd=project, env=environment, timeout=1200)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    stack = f"{answers['project_slug']}-{answers['stage']}"
    command = ["npx", "--no", "--", "cdk", "synth", "--quiet", stack]
    synth = run(command, cwd=project, env={**environment, "CDK_DISABLE_CLI_TELEMETRY": "true"})
    assert synth.returncode == 0, synth.stdout[-3000:] + synth.stderr[-3000:]
    return project / "cdk.out"


def synth_project(
    project: Path, tmp_path_factory: pytest.TempPathFactory, **context: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Synthesize a baked project's CDK app as the CLI runs it (with `context`);
    return the run and the folder it wrote to."""
    bundle = tmp_path_factory.mktemp("bundle")
    (bundle / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    outdir = tmp_path_factory.mktemp("cdk.out")
    environment = {
        **JSII_QUIET,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({"bundle_dir": str(bundle), **context}),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return run([sys.executable, "-m", "infra.app"], cwd=project, env=environment), outdir


def template_of(outdir: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """The default stage's template in `outdir`, after checking the stacks' environments."""
    stack = f"{answers['project_slug']}-{answers['stage']}"
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    target = f"aws://unknown-account/{answers['aws_region']}"
    assert manifest["artifacts"][stack]["environment"] == target
    # API Gateway's logging role for the region, and the account's budget in
    # us-east-1 (the default stage's, with the default amount), deployed before the stage.
    shared = {
        f"{answers['project_slug']}-api-logging": target,
        f"{answers['project_slug']}-budget": "aws://unknown-account/us-east-1",
    }
    for name, environment in shared.items():
        assert manifest["artifacts"][name]["environment"] == environment
        assert name in manifest["artifacts"][stack]["dependencies"]
    return json.loads((outdir / f"{stack}.template.json").read_text(encoding="utf-8"))


def test_function_carries_the_answers(synthesized: Synthesized) -> None:
    function = synthesized.site_function()
    assert function["Runtime"] == f"python{synthesized.answer('python_version')}"
    assert function["Architectures"] == [synthesized.answer("architecture")]
    assert function["MemorySize"] == int(synthesized.answer("lambda_memory_mb"))
    assert function["Timeout"] == int(synthesized.answer("lambda_timeout_seconds"))
    assert function["Handler"] == f"{synthesized.answer('package_name')}.lambda_handler.handler"
    # The function's, the access log, the static upload's.
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")
    assert len(log_groups) == 3
    assert all(group["Properties"]["RetentionInDays"] > 0 for group in log_groups)


def test_function_description_fits_awss_limit(synthesized: Synthesized) -> None:
    """The description, "<project_name> (<stage>)", fits AWS's 256 UTF-16 code units with the
    longest name and stage the hook accepts."""
    description = synthesized.site_function()["Description"]
    assert description == f"{synthesized.answer('project_name')} ({synthesized.answer('stage')})"
    assert len(description.encode("utf-16-le")) // 2 <= 256


def test_api_stage_carries_the_answers(synthesized: Synthesized) -> None:
    api = synthesized.one("AWS::ApiGateway::RestApi")
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert api["BinaryMediaTypes"] == ["*/*"]
    stage = synthesized.one("AWS::ApiGateway::Stage")
    assert stage["StageName"] == synthesized.answer("stage")
    [settings] = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == float(synthesized.answer("throttle_rate_limit"))
    assert settings["ThrottlingBurstLimit"] == int(synthesized.answer("throttle_burst_limit"))


def test_distribution_carries_the_answers(synthesized: Synthesized) -> None:
    config = synthesized.one("AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["PriceClass"] == synthesized.answer("price_class")
    assert config["HttpVersion"] == "http2and3"
    api_origin, bucket_origin = config["Origins"]  # the API, and S3 for /static/*
    assert api_origin["OriginPath"] == f"/{synthesized.answer('stage')}"
    assert "OriginAccessControlId" in bucket_origin
    [static] = config["CacheBehaviors"]
    assert (static["PathPattern"], static["TargetOriginId"]) == ("/static/*", bucket_origin["Id"])
    behavior = config["DefaultCacheBehavior"]
    assert behavior["Compress"] is True
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    [association] = behavior["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"


def test_cache_policy_carries_the_ttls(synthesized: Synthesized) -> None:
    default_ttl = int(synthesized.answer("cache_default_ttl_seconds"))
    max_ttl = int(synthesized.answer("cache_max_ttl_seconds"))
    behavior = synthesized.one("AWS::CloudFront::Distribution")["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    policies = synthesized.of_type("AWS::CloudFront::CachePolicy")
    if max_ttl == 0:
        assert policies == []
        assert behavior["CachePolicyId"] == CACHING_DISABLED
        return
    [policy] = policies
    config = policy["Properties"]["CachePolicyConfig"]
    assert (config["MinTTL"], config["DefaultTTL"], config["MaxTTL"]) == (0, default_ttl, max_ttl)
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}


def test_cloudfront_names_fit_and_carry_slug_stage_and_region(synthesized: Synthesized) -> None:
    expected = "-".join(synthesized.answer(key) for key in ("project_slug", "stage", "aws_region"))
    function = synthesized.one("AWS::CloudFront::Function")
    assert function["Name"] == expected
    assert len(expected) <= 64
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    for policy in synthesized.of_type("AWS::CloudFront::CachePolicy"):
        assert policy["Properties"]["CachePolicyConfig"]["Name"] == expected


def test_no_iam_wildcard_resources(synthesized: Synthesized) -> None:
    for policy in synthesized.of_type("AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            resources = statement["Resource"]
            assert "*" not in (resources if isinstance(resources, list) else [resources])


def test_the_budget_is_in_its_own_stack(synthesized: Synthesized) -> None:
    assert synthesized.of_type("AWS::Budgets::Budget") == []
    slug = synthesized.answer("project_slug")
    budget = json.loads((synthesized.outdir / f"{slug}-budget.template.json").read_text("utf-8"))
    [resource] = budget["Resources"].values()
    assert resource["Type"] == "AWS::Budgets::Budget"
    limit = resource["Properties"]["Budget"]["BudgetLimit"]
    assert limit == {"Amount": float(synthesized.answer("monthly_budget_usd")), "Unit": "USD"}


def test_every_template_passes_cfn_lint_for_its_region(synthesized: Synthesized) -> None:
    """As `make synth` lints them (the project's infra/template_lint.py and .cfnlintrc)."""
    command = [sys.executable, "-m", "infra.template_lint", str(synthesized.outdir)]
    linted = run(command, cwd=synthesized.project, env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert linted.returncode == 0, linted.stdout[-4000:] + linted.stderr[-2000:]
    slug, region = synthesized.answer("project_slug"), synthesized.answer("aws_region")
    for stack, stack_region in (
        (f"{slug}-{synthesized.answer('stage')}", region),
        (f"{slug}-api-logging", region),
        (f"{slug}-budget", "us-east-1"),
    ):
        assert f"{stack}.template.json for {stack_region}: 0 finding(s)" in linted.stdout


def test_cdk_cli_is_pinned_and_kept_offline() -> None:
    project_template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    cdk_json = json.loads((project_template / "cdk.json").read_text(encoding="utf-8"))
    assert cdk_json["app"] == ".venv/bin/python -m infra.app"
    assert cdk_json["notices"] is False
    assert cdk_json["context"]["cli-telemetry"] is False
    package = json.loads((project_template / "package.json").read_text(encoding="utf-8"))
    lock_text = (project_template / "package-lock.json").read_text(encoding="utf-8")
    version = package["devDependencies"]["aws-cdk"]
    assert re.fullmatch(r"2\.1\d{3}\.\d+", version), "pin one exact CLI release"
    assert json.loads(lock_text)["packages"]["node_modules/aws-cdk"]["version"] == version
    for machine_specific in ("file:", "/tmp/", "/home/", "/root/", "localhost"):
        assert machine_specific not in lock_text
