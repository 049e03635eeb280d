"""cloudfront_origin.py on its own: the app's copy of the raw event."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.cloudfront_origin import without_secret

from local_server.events import rest_event

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
