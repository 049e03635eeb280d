"""CloudFront in front of the REST API's stage.

- The cache key is the path, the query string and the normalised Accept-Encoding: not
  the cookies (an anonymous page is stored once for every visitor), nor the host (with
  a custom domain, other hosts are redirected to it). The app's Cache-Control decides
  what is stored: responses that use the session say `private`, and the minimum TTL is 0.
  The same goes for errors: CloudFront would keep a 500 (any 5xx, a 404 or a 414) for
  10 s whatever its Cache-Control says, `private` included, unless its status's error
  caching minimum TTL is 0, as here. (A 403 it keeps only for a max-age, `private` or
  not: caching.settle() takes that off a visitor's own error page.)
- Every viewer header but Host, every cookie and the query string reach the app; Host
  stays the API's own, as API Gateway answers a foreign one with 403.
- A maximum TTL of 0 takes the managed CachingDisabled policy: CloudFront refuses a
  policy that caches nothing yet names cache-key values.
- Every origin request carries the origin secret (origin_secret.py). The security
  headers include a Content-Security-Policy fitted to the demo pages: widen
  `CONTENT_SECURITY_POLICY` when your pages load scripts or third-party content.
- `/static/*` is a second behaviour, served from the private static-file bucket
  (static_files.py) through origin access control: no API Gateway request, no Lambda
  invocation. The files' names carry their content's hash and their Cache-Control says
  a year and immutable, which the managed CachingOptimized policy honours (no cookies
  or query string in the key). The same security headers apply; the viewer-request
  function does not run (S3 needs no X-Forwarded-Host).
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
from serverless_flask_kit.cloudfront_origin import API_KEY_HEADER, ORIGIN_HEADER
from serverless_flask_kit.static_files import URL_PATH

from .deployment import Deployment

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
# Every status whose error caching CloudFront lets a distribution set (416 it never caches).
CACHED_ERROR_STATUSES = (400, 403, 404, 405, 414, 500, 501, 502, 503, 504)
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
        deployment: Deployment,
        api: apigateway.RestApi,
        static_bucket: s3.IBucket,
        origin_secret: str,
        certificate: acm.ICertificate | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = deployment.settings
        name = deployment.edge_name(Stack.of(self).region)
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
                    origin_path=f"/{deployment.stage}",
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
            error_responses=[
                cloudfront.ErrorResponse(http_status=status, ttl=Duration.seconds(0))
                for status in CACHED_ERROR_STATUSES
            ],
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
