"""The origin secret: made once per stage in SSM Parameter Store, referenced
(never copied) by the template, rotated in two deploys with no moment when
what CloudFront sends is refused. SSM is moto's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Match, Template
from moto import mock_aws
from serverless_flask_kit.cloudfront_origin import ORIGIN_HEADER, behind_cloudfront

from infra import origin_secret
from infra.origin_secret import (
    CONTEXT_KEY,
    SLOTS,
    OriginSecretRefs,
    OriginSecretStore,
    parameter_prefix,
)
from infra.site_stack import PROJECT_ROOT, Settings

from .stack_helpers import (
    API,
    DISTRIBUTION,
    ORIGIN_SECRET_KEYS,
    USAGE_PLAN,
    function_config,
    properties,
    synth_app,
)

REGION = "us-east-1"
PREFIX = "/site/dev/origin-secret"
# API Gateway API key values: 20 to 128 letters and digits.
API_KEY_VALUE = re.compile(r"[A-Za-z0-9]{20,128}")


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


@pytest.fixture
def store(ssm: Any) -> OriginSecretStore:
    return OriginSecretStore(ssm, PREFIX)


def values(ssm: Any) -> dict[str, str]:
    """Every slot's current value (what API Gateway and the function accept)."""
    names = [f"{PREFIX}/{slot}" for slot in SLOTS]
    found = ssm.get_parameters(Names=names)["Parameters"]
    return {parameter["Name"].rsplit("/", 1)[1]: parameter["Value"] for parameter in found}


def sent(ssm: Any) -> str:
    """The value CloudFront sends after the next deploy."""
    slot = ssm.get_parameter(Name=f"{PREFIX}/sent")["Parameter"]["Value"]
    return values(ssm)[slot]


# References in the template


def test_without_context_the_template_references_the_latest_values() -> None:
    refs = OriginSecretRefs.from_context(PREFIX, None)
    assert refs.sent_reference == "{% raw %}{{resolve:ssm:/site/dev/origin-secret/blue}}{% endraw %}"
    assert refs.accepted_references == [
        "{% raw %}{{resolve:ssm:/site/dev/origin-secret/blue}}{% endraw %}",
        "{% raw %}{{resolve:ssm:/site/dev/origin-secret/green}}{% endraw %}",
    ]


def test_the_deploy_context_pins_versions_and_the_sent_slot() -> None:
    refs = OriginSecretRefs.from_context(PREFIX, "green,blue:3,green:12")
    assert refs.sent_reference == "{% raw %}{{resolve:ssm:/site/dev/origin-secret/green:12}}{% endraw %}"
    assert refs.accepted_references == [
        "{% raw %}{{resolve:ssm:/site/dev/origin-secret/blue:3}}{% endraw %}",
        "{% raw %}{{resolve:ssm:/site/dev/origin-secret/green:12}}{% endraw %}",
    ]
    assert OriginSecretRefs.from_context(PREFIX, refs.context_value()) == refs


@pytest.mark.parametrize(
    "value", ["", "red,blue:1,green:1", "blue,blue:1", "blue,blue:x,green:1", "blue,blue:0,green:1"]
)
def test_a_malformed_context_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="origin_secret"):
        OriginSecretRefs.from_context(PREFIX, value)


# The parameters


def test_first_deploy_creates_two_random_values_of_256_bits(
    store: OriginSecretStore, ssm: Any
) -> None:
    assert store.ensure() is True
    made = values(ssm)
    assert sorted(made) == sorted(SLOTS)
    assert made["blue"] != made["green"]
    for value in made.values():
        assert re.fullmatch(r"[0-9a-f]{64}", value)
        assert API_KEY_VALUE.fullmatch(value)
    assert sent(ssm) == made["blue"]
    described = ssm.describe_parameters()["Parameters"]
    assert {parameter["Tier"] for parameter in described} == {"Standard"}  # free
    assert {parameter["Type"] for parameter in described} == {"String"}


def test_later_deploys_keep_the_values(store: OriginSecretStore, ssm: Any) -> None:
    store.ensure()
    before = values(ssm)
    assert store.ensure() is False
    assert values(ssm) == before
    assert store.refs() == OriginSecretRefs.from_context(PREFIX, "blue,blue:1,green:1")


def test_rotation_never_refuses_what_cloudfront_sends(store: OriginSecretStore, ssm: Any) -> None:
    store.ensure()
    old = sent(ssm)

    store.switch()  # then a deploy: CloudFront sends the other value, both accepted
    new = sent(ssm)
    assert new != old
    assert {old, new} == set(values(ssm).values())
    assert store.refs().sent == "green"

    store.renew_standby()  # then a deploy: the old value is refused from now on
    assert sent(ssm) == new
    assert old not in values(ssm).values()
    assert new in values(ssm).values()
    assert store.refs() == OriginSecretRefs.from_context(PREFIX, "green,blue:2,green:1")


def test_a_second_rotation_goes_back_to_the_first_slot_with_fresh_values(
    store: OriginSecretStore, ssm: Any
) -> None:
    store.ensure()
    seen = set(values(ssm).values())
    for _ in range(2):
        store.switch()
        store.renew_standby()
    assert store.refs().sent == "blue"
    assert len(seen | set(values(ssm).values())) == 4


def test_no_command_prints_a_secret(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(origin_secret, "parameter_prefix", lambda slug, stage: PREFIX)
    printed = ""
    commands = (["context"], ["context", "--create"], ["switch"], ["renew-standby"], ["context"])
    for command in commands:
        origin_secret.main([*command, "--stage", "dev", "--region", REGION])
        out, err = capsys.readouterr()
        printed += out + err
        for value in values(ssm).values():
            assert value not in printed
    assert "origin_secret=green,blue:2,green:1" in printed


def test_context_before_the_first_deploy_references_the_latest_values(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make diff` before any deploy: nothing is created, nothing pinned."""
    monkeypatch.setattr(origin_secret, "parameter_prefix", lambda slug, stage: PREFIX)
    origin_secret.main(["context", "--stage", "dev", "--region", REGION])
    assert capsys.readouterr().out.strip() == "origin_secret=blue"
    assert values(ssm) == {}


def test_without_credentials_it_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(SystemExit) as exited:
        origin_secret.main(["context", "--stage", "dev", "--region", REGION])
    message = str(exited.value.code)
    assert message.startswith("origin secret (/") and "credentials" in message
    assert "\n" not in message


# The function's check (the second layer, after API Gateway's key check)


def served(secrets: Any, header: str | None) -> str:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b"ok"]

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    if header is not None:
        environ["HTTP_X_ORIGIN_VERIFY"] = header
    statuses: list[str] = []
    behind_cloudfront(app, secrets)(environ, lambda status, headers: statuses.append(status))
    return statuses[0]


def test_the_function_accepts_each_slot_during_a_rotation() -> None:
    accepted = ["a" * 64, "b" * 64]
    assert served(accepted, "a" * 64) == "200 OK"
    assert served(accepted, "b" * 64) == "200 OK"
    for refused in ("c" * 64, "a" * 63, "", None, "a" * 64 + "b" * 64):
        assert served(accepted, refused) == "403 Forbidden"


def test_the_app_sees_neither_header_that_carries_the_secret() -> None:
    """API Gateway passes the x-api-key header on to the function, too."""
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [])
        return [b"ok"]

    secret = "k" * 64
    environ = {"HTTP_X_ORIGIN_VERIFY": secret, "HTTP_X_API_KEY": secret, "PATH_INFO": "/"}
    behind_cloudfront(app, [secret])(environ, lambda status, headers: None)
    assert seen["PATH_INFO"] == "/"
    assert secret not in json.dumps(seen)


def test_the_function_still_takes_a_single_secret() -> None:
    assert served("s" * 64, "s" * 64) == "200 OK"
    assert served("s" * 64, "t" * 64) == "403 Forbidden"


# The stack


def undeployed_refs(settings: Settings) -> OriginSecretRefs:
    """What a synth without the deploy's context references: the latest values."""
    return OriginSecretRefs.from_context(
        parameter_prefix(settings.project_slug, settings.stage), None
    )


def origin_headers(template: Template) -> dict[str, str]:
    """What CloudFront adds to requests to the API (the static files' bucket gets none)."""
    config = properties(template, DISTRIBUTION)["DistributionConfig"]
    [origin] = [o for o in config["Origins"] if "OriginCustomHeaders" in o]
    assert origin["Id"] == config["DefaultCacheBehavior"]["TargetOriginId"]
    return {h["HeaderName"]: h["HeaderValue"] for h in origin["OriginCustomHeaders"]}


def test_nothing_in_the_template_derives_from_the_stack_id(template: Template) -> None:
    """The stack ID is printed by every deploy: no secret may come from it."""
    assert "AWS::StackId" not in json.dumps(template.to_json())


def test_cloudfront_sends_the_sent_slot_as_origin_secret_and_api_key(
    template: Template, settings: Settings
) -> None:
    refs = undeployed_refs(settings)
    assert origin_headers(template) == {
        ORIGIN_HEADER: refs.sent_reference,
        "x-api-key": refs.sent_reference,
    }


def test_the_function_accepts_both_slots(template: Template, settings: Settings) -> None:
    refs = undeployed_refs(settings)
    assert function_config(template)["ORIGIN_SECRET"] == refs.accepted_references


def test_a_deploy_pins_the_versions_it_read(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    """A changed value changes the template, so CloudFormation updates what
    uses it (an unversioned reference is re-read only when something else changes)."""
    prefix = parameter_prefix(settings.project_slug, settings.stage)
    pinned = "green,blue:4,green:9"
    refs = OriginSecretRefs.from_context(prefix, pinned)
    template = Template.from_stack(synth_app(bundle_dir, tmp_path, **{CONTEXT_KEY: pinned}))
    expected = "{% raw %}{{resolve:ssm:{% endraw %}" + prefix + "/green:9{% raw %}}}{% endraw %}"
    assert set(origin_headers(template).values()) == {expected}
    assert function_config(template)["ORIGIN_SECRET"] == refs.accepted_references
    keys = template.find_resources("AWS::ApiGateway::ApiKey").values()
    assert sorted(key["Properties"]["Value"] for key in keys) == refs.accepted_references


# API Gateway refuses direct calls before the function runs


def test_every_method_requires_an_api_key(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::Method", 2)  # the root and {proxy+}
    template.all_resources_properties("AWS::ApiGateway::Method", {"ApiKeyRequired": True})


def test_the_api_keys_are_the_two_slots_in_one_throttled_usage_plan(
    template: Template, settings: Settings
) -> None:
    refs = undeployed_refs(settings)
    template.resource_count_is("AWS::ApiGateway::ApiKey", 2)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", 2)
    for key_id, value in zip(ORIGIN_SECRET_KEYS, refs.accepted_references, strict=True):
        template.has_resource(
            "AWS::ApiGateway::ApiKey", {"Properties": {"Value": value, "Enabled": True}}
        )
        template.has_resource_properties(
            "AWS::ApiGateway::UsagePlanKey",
            {"KeyId": {"Ref": key_id}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": USAGE_PLAN}},
        )
    template.resource_count_is("AWS::ApiGateway::UsagePlan", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {
            "Throttle": {
                "RateLimit": settings.throttle_rate_limit,
                "BurstLimit": settings.throttle_burst_limit,
            },
            "Quota": Match.absent(),
            "ApiStages": [
                {
                    "ApiId": {"Ref": API},
                    "Stage": {"Ref": Match.string_like_regexp("^ApiDeploymentStage")},
                }
            ],
        },
    )


# The make targets

MAKE = shutil.which("make")


def planned(target: str) -> list[str]:
    """The commands `make <target>` would run (make -n), for stage dev."""
    assert MAKE is not None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [MAKE, "-n", target, "STAGE=dev", f"REGION={REGION}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def indexes(lines: list[str], *fragments: str) -> list[int]:
    return [i for i, line in enumerate(lines) if all(f in line for f in fragments)]


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_deploy_creates_the_secret_once_and_passes_only_versions() -> None:
    lines = planned("deploy")
    [context] = indexes(lines, "infra.origin_secret --stage dev", "context --create")
    [deploy] = indexes(lines, "cdk deploy -c stage=dev", '-c "$context"')
    assert context <= deploy


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_rotation_switches_deploys_renews_and_deploys_again() -> None:
    lines = planned("rotate-origin-secret")
    [switch] = indexes(lines, "infra.origin_secret", " switch")
    [renew] = indexes(lines, "infra.origin_secret", " renew-standby")
    deploys = indexes(lines, "cdk deploy -c stage=dev")
    assert len(deploys) == 2
    assert switch < deploys[0] < renew < deploys[1]
