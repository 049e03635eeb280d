"""CloudFront in front of the REST API's stage.

Caching and cookies:

- The cache key is the path and the query string (plus the normalised
  Accept-Encoding, so gzip and brotli copies are kept apart). Cookies are not
  in the key: an anonymous, cacheable page is stored once and served to every
  visitor, whatever cookies they carry. Nor is the host: with a custom domain
  the viewer-request function redirects every other host (the distribution's
  *.cloudfront.net name) to it, so one host fills the cache.
- Every viewer header except Host, every cookie and the query string still
  reach the origin (the managed "AllViewerExceptHostHeader" origin request
  policy), so the app sees its session cookie, form content types, Referer,
  and the `X-Forwarded-Host` set by the viewer-request function. The Host
  stays the API's own: API Gateway answers a foreign Host with 403.
- What CloudFront stores is decided by the app's Cache-Control. A response
  that touches the session says `private` (and the session page `no-store`),
  which CloudFront never caches because the minimum TTL is 0; pages that
  don't touch the session carry no Set-Cookie and are safe to share.
- A maximum TTL of 0 means "never cache": CloudFront refuses a cache policy
  that caches nothing yet names cache-key values, so the managed
  CachingDisabled policy is used instead (CloudFront then compresses nothing).

Static files:

- `/static/*` is a second behaviour, served from the private static-file
  bucket (static_files.py) through origin access control: no API Gateway
  request, no Lambda invocation. The files' names carry their content's hash
  and their Cache-Control says a year and immutable, which the managed
  CachingOptimized policy honours (no cookies or query string in the key).
  The same security headers apply; the viewer-request function does not run
  (S3 needs no X-Forwarded-Host), so static files are also served, unchanged,
  on the *.cloudfront.net name.

Security:

- CloudFront adds the stage's origin secret (origin_secret.py) to every origin
  request twice: as `x-api-key`, without which API Gateway answers 403 before
  the function runs, and as `X-Origin-Verify`, which the Lambda handler checks
  again (cloudfront_origin.py). The API Gateway URL cannot bypass the CDN.
- A response headers policy adds HSTS, nosniff, frame and referrer policies and
  a Content-Security-Policy fitted to the demo pages (same-origin styles and
  images, no scripts) to every response. Widen `CONTENT_SECURITY_POLICY` when
  your pages load scripts or third-party content.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from {{ cookiecutter.package_name }}.cloudfront_origin import ORIGIN_HEADER
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.static_files import URL_PATH

PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}
# CloudFront Function names: letters, digits, '-' and '_', at most 64 characters.
MAX_FUNCTION_NAME = 64
# The demo pages load their stylesheet and favicon from the site, and nothing else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS_MAX_AGE = Duration.days(2 * 365)
# Where API Gateway looks for the API key (the API's default key source).
API_KEY_HEADER = "x-api-key"
VIEWER_REQUEST_FILE = Path(__file__).with_name("viewer_request.js")
# The line of viewer_request.js that receives the custom domain at synth.
UNSET_CANONICAL_HOST = 'var CANONICAL_HOST = "";'


def viewer_request_code(source: str, canonical_host: str | None) -> str:
    """The viewer-request function's source, redirecting to `canonical_host` if given."""
    if source.count(UNSET_CANONICAL_HOST) != 1:
        raise ValueError(f"the viewer-request function must contain {UNSET_CANONICAL_HOST!r} once")
    if not canonical_host:
        return source
    value = f"var CANONICAL_HOST = {json.dumps(canonical_host.lower())};"
    return source.replace(UNSET_CANONICAL_HOST, value)


def edge_name(settings: Settings, stage: str, region: str) -> str:
    """The name of the account-wide CloudFront resources (function, cache and
    headers policies) of one deployment: unique per project, stage and region."""
    return f"{settings.project_slug}-{stage}-{region}"


class SiteCdn(Construct):
    """A distribution whose default behaviour serves everything from the API
    stage `/<stage>`, sending `origin_secret` in the X-Origin-Verify and
    x-api-key headers, but `/static/*` from `static_bucket`; with
    `settings.domain_name`, served on that domain (with `certificate`), to
    which every other host is redirected."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        stage: str,
        api: apigateway.RestApi,
        static_bucket: s3.IBucket,
        origin_secret: str,
        certificate: acm.ICertificate | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        name = edge_name(settings, stage, Stack.of(self).region)
        if len(name) > MAX_FUNCTION_NAME:
            raise ValueError(f"CloudFront name {name!r} is longer than {MAX_FUNCTION_NAME}")
        if settings.price_class not in PRICE_CLASSES:
            raise ValueError(
                f"price_class {settings.price_class!r} is not one of {sorted(PRICE_CLASSES)}"
            )
        canonical_host = settings.domain_name or None
        source = VIEWER_REQUEST_FILE.read_text(encoding="utf-8")
        self.viewer_request = cloudfront.Function(
            self,
            "ViewerRequest",
            function_name=name,
            comment=("Redirects other hosts to the domain; " if canonical_host else "")
            + "copies the viewer's Host into X-Forwarded-Host",
            code=cloudfront.FunctionCode.from_inline(viewer_request_code(source, canonical_host)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.cache_policy = self._cache_policy(
            name, settings.cache_default_ttl_seconds, settings.cache_max_ttl_seconds
        )
        self.response_headers_policy = self._security_headers(name)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=name,
            domain_names=[canonical_host] if canonical_host else None,
            certificate=certificate,
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            default_behavior=cloudfront.BehaviorOptions(
                # `/x` on the site is `/<stage>/x` on the API.
                origin=origins.RestApiOrigin(
                    api,
                    origin_path=f"/{stage}",
                    # CloudFront replaces viewer-sent headers of these names.
                    custom_headers={ORIGIN_HEADER: origin_secret, API_KEY_HEADER: origin_secret},
                ),
                response_headers_policy=self.response_headers_policy,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=self.cache_policy,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.viewer_request,
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
            ),
            additional_behaviors={f"{URL_PATH}/*": self._static_files(static_bucket)},
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=PRICE_CLASSES[settings.price_class],
        )

    def _static_files(self, bucket: s3.IBucket) -> cloudfront.BehaviorOptions:
        return cloudfront.BehaviorOptions(
            # Also writes the bucket policy: reads by this distribution only.
            origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
            response_headers_policy=self.response_headers_policy,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            compress=True,
        )

    def _security_headers(self, name: str) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=name,
            comment="HSTS, nosniff, frame and referrer policies, CSP",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
            ),
        )

    def _cache_policy(
        self, name: str, default_ttl_seconds: int, max_ttl_seconds: int
    ) -> cloudfront.ICachePolicy:
        if max_ttl_seconds == 0:
            return cloudfront.CachePolicy.CACHING_DISABLED
        return cloudfront.CachePolicy(
            self,
            "CachePolicy",
            cache_policy_name=name,
            comment="Path and query string; cookies reach the origin but stay out of the key",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.seconds(default_ttl_seconds),
            max_ttl=Duration.seconds(max_ttl_seconds),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
