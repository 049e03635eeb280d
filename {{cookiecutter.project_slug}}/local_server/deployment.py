"""What the synthesized stack says `make local` must reproduce.

The stack is built in-process, as the tests build it (no AWS account, no CDK
CLI), against the real bundle; the values are read from its CloudFormation
template, so the local server follows any change to the infrastructure code:
the cache policy and viewer function of each behaviour, the error caching, the
response headers policy, the headers CloudFront adds for the origin, the stage,
and the function's handler, memory, timeout and environment.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_tools.tools import PROJECT_ROOT

from .cdn_rules import MANAGED_POLICIES, CachePolicy, ErrorCaching

Template = dict[str, Any]


def stand_in(reference: str) -> str:
    """The value `make local` gives a reference it makes nothing for."""
    return f"local-{reference}"


def joined(value: Any, refs: Mapping[str, str]) -> Any:
    """A value built with Fn::Join/Select/Split, each {"Ref": id} replaced by
    refs[id] and each {"Fn::GetAtt": [id, attribute]} by refs["id.attribute"],
    or a stand-in where refs has none (CloudFormation's intrinsics, evaluated
    here: nothing else does)."""
    if isinstance(value, str | int):
        return value
    if "Ref" in value:
        return refs.get(value["Ref"]) or stand_in(value["Ref"])
    if "Fn::GetAtt" in value:
        attribute = value["Fn::GetAtt"]
        reference = ".".join(attribute) if isinstance(attribute, list) else attribute
        return refs.get(reference) or stand_in(reference)
    if "Fn::Select" in value:
        index, items = value["Fn::Select"]
        return joined(items, refs)[index]
    if "Fn::Split" in value:
        separator, text = value["Fn::Split"]
        return joined(text, refs).split(separator)
    separator, parts = value["Fn::Join"]
    return separator.join(joined(part, refs) for part in parts)


def synthesize(bundle_dir: Path) -> dict[str, Any]:
    """The stage's CloudFormation template (`template`), with the Lambda code
    from `bundle_dir`, and the infrastructure code's constants the local
    server needs (see `synthesized_here`).

    Built in a child process: importing the CDK starts a node process (jsii)
    that would otherwise live, and be stopped, with the local server."""
    command = [sys.executable, "-m", "local_server.deployment", str(bundle_dir)]
    result = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, check=True)  # noqa: S603
    return json.loads(result.stdout)


def synthesized_here(bundle_dir: Path) -> dict[str, Any]:
    import aws_cdk as cdk

    from infra.app import add_site_stack, cdk_json_context
    from infra.cdn import API_KEY_HEADER, VIEWER_REQUEST_FILE
    from infra.function import HANDLER

    with tempfile.TemporaryDirectory(prefix="local-cdk-out-") as outdir:
        app = cdk.App(outdir=outdir, context={**cdk_json_context(), "bundle_dir": str(bundle_dir)})
        stack = add_site_stack(app)
        template = app.synth().get_stack_by_name(stack.stack_name).template
    return {
        "template": template,
        "handler": HANDLER,
        "viewer_request_file": str(VIEWER_REQUEST_FILE),
        "api_key_header": API_KEY_HEADER,
    }


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    """The properties of each resource of type `kind`, by logical ID."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def function_properties(template: Template, handler: str) -> dict[str, Any]:
    """The properties of the function that runs `handler` (the app's)."""
    [function] = (
        f
        for f in resources(template, "AWS::Lambda::Function").values()
        if f.get("Handler") == handler
    )
    return function


def function_variables(template: Template, handler: str) -> dict[str, Any]:
    """The environment the template gives the app's function, intrinsics unevaluated."""
    return function_properties(template, handler).get("Environment", {}).get("Variables", {})


def security_headers(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headers a response headers policy's SecurityHeadersConfig adds."""
    security = config.get("SecurityHeadersConfig", {})
    headers = []
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        headers.append(("Strict-Transport-Security", value))
    if "ContentTypeOptions" in security:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if "FrameOptions" in security:
        headers.append(("X-Frame-Options", security["FrameOptions"]["FrameOption"]))
    if "ReferrerPolicy" in security:
        headers.append(("Referrer-Policy", security["ReferrerPolicy"]["ReferrerPolicy"]))
    if "ContentSecurityPolicy" in security:
        csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        headers.append(("Content-Security-Policy", csp))
    return headers


@dataclass(frozen=True)
class Behaviour:
    path_pattern: str
    cache_policy: CachePolicy
    runs_viewer_function: bool
    response_headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Deployment:
    stage: str
    behaviours: tuple[Behaviour, ...]  # the default one last
    error_caching: ErrorCaching
    origin_header_names: tuple[str, ...]  # what CloudFront adds for the API
    handler: str
    memory_mb: int
    timeout_seconds: int
    environment: dict[str, str]  # the function's, its references evaluated (joined)

    def behaviour_for(self, path: str) -> Behaviour:
        """The first behaviour whose pattern matches, as CloudFront picks it."""
        return next(b for b in self.behaviours if fnmatch.fnmatchcase(path, b.path_pattern))

    @classmethod
    def from_template(
        cls, template: Template, handler: str, references: Mapping[str, str]
    ) -> Deployment:
        """The deployment `template` describes, each reference in the function's
        environment given its value in `references` (stack_resources.py) or a stand-in."""
        [distribution] = resources(template, "AWS::CloudFront::Distribution").values()
        config = distribution["DistributionConfig"]
        function = function_properties(template, handler)
        policies = resources(template, "AWS::CloudFront::CachePolicy")
        header_policies = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")

        def behaviour(settings: Mapping[str, Any], pattern: str) -> Behaviour:
            policy_id = settings["CachePolicyId"]
            policy = (
                CachePolicy.from_config(policies[policy_id["Ref"]]["CachePolicyConfig"])
                if isinstance(policy_id, dict)
                else MANAGED_POLICIES[policy_id]
            )
            headers_id = settings.get("ResponseHeadersPolicyId")
            headers = (
                security_headers(header_policies[headers_id["Ref"]]["ResponseHeadersPolicyConfig"])
                if isinstance(headers_id, dict)
                else []
            )
            associations = settings.get("FunctionAssociations", [])
            viewer = any(a["EventType"] == "viewer-request" for a in associations)
            return Behaviour(pattern, policy, viewer, tuple(headers))

        behaviours = [behaviour(b, b["PathPattern"]) for b in config.get("CacheBehaviors", [])]
        behaviours.append(behaviour(config["DefaultCacheBehavior"], "*"))
        default_origin = config["DefaultCacheBehavior"]["TargetOriginId"]
        [origin] = (o for o in config["Origins"] if o["Id"] == default_origin)
        return cls(
            stage=origin["OriginPath"].strip("/"),
            behaviours=tuple(behaviours),
            error_caching=ErrorCaching.from_config(config),
            origin_header_names=tuple(
                header["HeaderName"] for header in origin.get("OriginCustomHeaders", [])
            ),
            handler=handler,
            memory_mb=int(function.get("MemorySize", 128)),
            timeout_seconds=int(function.get("Timeout", 3)),
            environment={
                name: joined(value, references)
                for name, value in function_variables(template, handler).items()
            },
        )


def with_config(environment: Mapping[str, str], variable: str, **changes: Any) -> dict[str, str]:
    """`environment` with keys of the JSON object in `variable` replaced."""
    config = {**json.loads(environment.get(variable, "{}")), **changes}
    return {**environment, variable: json.dumps(config)}


if __name__ == "__main__":
    json.dump(synthesized_here(Path(sys.argv[1])), sys.stdout)
