"""Static files: fingerprinted names, served by CloudFront from a private bucket
with a year's Cache-Control; the working tree's files under `make dev`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from flask.testing import FlaskClient
from serverless_flask_kit.static_files import MANIFEST_NAME

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from build_tools import static_assets
from build_tools.bundle import PROJECT_ROOT, copy_package

from . import stack_helpers as stack

STATIC_LINK = re.compile(r'(?:href|src)="/static/([^"]+)"')
# CDK's static file upload: its function, role and policy IDs start so.
UPLOAD = "CustomCDKBucketDeployment"


@pytest.fixture(scope="module")
def settings_module() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def source(settings_module: Settings) -> Path:
    return static_assets.source_dir(PROJECT_ROOT / settings_module.package_name)


@pytest.fixture(scope="module")
def bundled_manifest(settings_module: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manifest as `make build` puts it in the Lambda bundle."""
    target = tmp_path_factory.mktemp("bundle")
    copy_package(PROJECT_ROOT / settings_module.package_name, target)
    return target / settings_module.package_name / MANIFEST_NAME


def static_links(html: str) -> list[str]:
    return STATIC_LINK.findall(html)


def test_the_deployed_page_links_to_hashed_files_deployed_with_a_years_cache(
    site_stack: Any, template: Template, bundled_manifest: Path, source: Path, tmp_path: Path
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY_FILE": str(tmp_path / "key.json"),
            "STATIC_MANIFEST_FILE": str(bundled_manifest),
        }
    )
    links = static_links(app.test_client().get("/").get_data(as_text=True))
    assert sorted(links) == sorted(json.loads(bundled_manifest.read_text()).values())
    assert "style.css" not in links and len(links) == 2
    deployment = stack.properties(template, stack.STATIC_DEPLOYMENT)
    assert deployment["SystemMetadata"] == {"cache-control": "public, max-age=31536000, immutable"}
    assert deployment["DestinationBucketKeyPrefix"] == "static/"  # the URL path
    deployed = stack.deployed_static_files(site_stack, template)
    for link in links:
        assert (deployed / link).is_file(), link
    [stylesheet] = [link for link in links if link.endswith(".css")]
    assert (deployed / stylesheet).read_bytes() == (source / "style.css").read_bytes()


def test_make_dev_links_to_and_serves_the_working_tree_files(
    client: FlaskClient, source: Path
) -> None:
    """No build step locally: plain names, served by Flask from static/."""
    assert sorted(static_links(client.get("/").get_data(as_text=True))) == [
        "favicon.ico",
        "style.css",
    ]
    response = client.get("/static/style.css")
    assert response.data == (source / "style.css").read_bytes()
    response.close()


def test_a_changed_stylesheet_gets_a_new_name_and_the_rest_keep_theirs(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: red }")
    (tmp_path / "logo.svg").write_text("<svg/>")
    before = static_assets.manifest(tmp_path)
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", before["css/site.css"])
    (tmp_path / "css" / "site.css").write_text("body { color: blue }")
    after = static_assets.manifest(tmp_path)
    assert after["css/site.css"] != before["css/site.css"]
    assert after["logo.svg"] == before["logo.svg"]


def test_the_build_holds_each_file_under_its_hashed_name_only(tmp_path: Path) -> None:
    source = tmp_path / "static"
    (source / "img").mkdir(parents=True)
    (source / "img" / "a.png").write_bytes(b"\x89PNG")
    (source / ".DS_Store").write_bytes(b"junk")
    built = static_assets.build(source, tmp_path / "out")
    files = sorted(p.relative_to(built.directory).as_posix() for p in built.directory.rglob("*"))
    assert files == ["img", built.manifest["img/a.png"]]
    assert list(built.manifest) == ["img/a.png"]
    assert built.headers("img/a.png") == {
        "Cache-Control": static_assets.CACHE_CONTROL,
        "Content-Type": "image/png",
    }


def test_static_requests_go_to_the_bucket_never_the_api(template: Template) -> None:
    config = stack.properties(template, stack.DISTRIBUTION)["DistributionConfig"]
    [static] = config["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["CachePolicyId"] == stack.CACHING_OPTIMIZED  # honours the year, no cookies in key
    assert static["AllowedMethods"] == ["GET", "HEAD"]
    assert static["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "FunctionAssociations" not in static and "OriginRequestPolicyId" not in static
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    bucket_origin = origins[static["TargetOriginId"]]
    bucket_domain = {"Fn::GetAtt": [stack.STATIC_BUCKET, "RegionalDomainName"]}
    assert bucket_origin["DomainName"] == bucket_domain
    assert "OriginAccessControlId" in bucket_origin
    assert bucket_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    api_origin = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert "CustomOriginConfig" in api_origin  # the default behaviour stays the API


def test_origin_access_control_signs_every_request(template: Template) -> None:
    template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {
            "OriginAccessControlConfig": {
                "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always",
                "SigningProtocol": "sigv4",
            }
        },
    )


def test_only_this_distribution_may_read_the_bucket(template: Template) -> None:
    bucket = stack.properties(template, stack.STATIC_BUCKET)
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    [policy] = [
        resource["Properties"]["PolicyDocument"]
        for resource in template.find_resources("AWS::S3::BucketPolicy").values()
        if resource["Properties"]["Bucket"] == {"Ref": stack.STATIC_BUCKET}
    ]
    allowed = [statement for statement in policy["Statement"] if statement["Effect"] == "Allow"]
    [statement] = allowed
    assert statement["Action"] == "s3:GetObject"
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    source_arn = statement["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert {"Ref": stack.DISTRIBUTION} in source_arn["Fn::Join"][1]
    assert ":distribution/" in source_arn["Fn::Join"][1]


def test_deploys_keep_earlier_files_and_upload_before_the_new_code(template: Template) -> None:
    """A page cached before a deploy still finds its files; a new page never
    links to a file not yet uploaded."""
    assert stack.properties(template, stack.STATIC_DEPLOYMENT)["Prune"] is False
    rules = stack.properties(template, stack.STATIC_BUCKET)["LifecycleConfiguration"]["Rules"]
    assert not [rule for rule in rules if "ExpirationInDays" in rule or "ExpirationDate" in rule]
    function = template.to_json()["Resources"][stack.FUNCTION]
    assert stack.STATIC_DEPLOYMENT in function["DependsOn"]


def test_a_bundle_built_from_other_static_files_is_refused(
    settings_module: Settings, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    (bundle / settings_module.package_name).mkdir(parents=True)
    stale = {"style.css": "style.000000000000.css"}
    (bundle / settings_module.package_name / MANIFEST_NAME).write_text(json.dumps(stale))
    with pytest.raises(ValueError, match="make build"):
        stack.synth_app(bundle, tmp_path / "cdk.out")


def test_the_upload_reaches_only_the_cdk_assets_and_the_static_bucket(template: Template) -> None:
    """CDK's BucketDeployment function: what its wildcards (accepted in checks.py) cover."""
    statements = [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if all(role["Ref"].startswith(UPLOAD) for role in policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements
    for statement in statements:
        for resource in statement["Resource"]:
            text = json.dumps(resource)
            assert stack.STATIC_BUCKET in text or "-assets-${AWS::AccountId}-" in text, text
    [upload] = [
        resource["Properties"]
        for logical_id, resource in template.find_resources("AWS::Lambda::Function").items()
        if logical_id.startswith(UPLOAD)
    ]
    logs = stack.properties(template, upload["LoggingConfig"]["LogGroup"]["Ref"])
    assert logs["RetentionInDays"] == 30  # like the site's own log groups, not CDK's two years
