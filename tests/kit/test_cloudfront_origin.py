"""cloudfront_origin.py on its own: the app's copy of the raw event."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from serverless_flask_kit.cloudfront_origin import behind_cloudfront, without_secret
from serverless_flask_kit.events import rest_event

SECRET = "s" * 43


def odd(**changes: Any) -> dict[str, Any]:
    return {**rest_event("/"), **changes}


ODD_SHAPES = {
    "requestContext text": odd(requestContext="c6af9ac6"),
    "requestContext a list": odd(requestContext=[{"identity": {"apiKey": SECRET}}]),
    "identity a list": odd(requestContext={"identity": ["apiKey", SECRET]}),
    "identity null": odd(requestContext={"identity": None}),
    "headers a list": odd(headers=[["X-Origin-Verify", SECRET]]),
    "headers null": odd(headers=None, multiValueHeaders=None),
    "a header name not text": odd(headers={1: "one"}, multiValueHeaders={None: ["none"]}),
}


@pytest.mark.parametrize("event", ODD_SHAPES.values(), ids=ODD_SHAPES.keys())
def test_shapes_api_gateway_never_sends_are_copied_as_they_are(event: dict[str, Any]) -> None:
    """The handler answers them 400 (malformed_events.py); the copy must not raise first."""
    sent = copy.deepcopy(event)
    assert without_secret(event) == sent
    assert event == sent


@pytest.mark.parametrize(
    "names",
    [
        ("X-Origin-Verify", "x-api-key"),
        ("x-origin-verify", "X-API-Key"),
        ("X-ORIGIN-VERIFY", "X-Api-Key", "x-Origin-verify", "X-API-KEY"),
    ],
)
def test_the_secret_headers_go_whatever_their_letter_case(names: tuple[str, ...]) -> None:
    event = rest_event("/", headers=[(name, SECRET) for name in names])
    assert SECRET in str(event["headers"]) and SECRET in str(event["multiValueHeaders"])
    copied = without_secret(event)
    assert SECRET not in str(copied)
    assert copied["headers"]["Host"] == event["headers"]["Host"]  # the rest stays
    assert copied["requestContext"]["requestId"] == event["requestContext"]["requestId"]


def test_a_version_2_event_loses_its_lower_case_secret_headers() -> None:
    event = {
        "version": "2.0",
        "headers": {"host": "a.example", "x-origin-verify": SECRET, "x-api-key": SECRET},
        "requestContext": {"http": {"method": "GET"}},
    }
    assert without_secret(event)["headers"] == {"host": "a.example"}


@pytest.mark.parametrize("secret", [5, [SECRET, None], {"blue": SECRET}])
def test_a_secret_that_is_not_text_is_named_at_startup(secret: Any) -> None:
    with pytest.raises(ValueError, match="ORIGIN_SECRET must be a string or a list of strings"):
        behind_cloudfront(lambda environ, start_response: [], secret)
