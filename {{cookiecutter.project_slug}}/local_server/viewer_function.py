"""The CloudFront viewer-request function, run by node in one long-lived process.

CloudFront hands the function an event whose headers, cookies and query
string are objects keyed by lower-case name, each `{value}` plus `multiValue`
when a name repeats; what it returns is either the (changed) request, which
continues to the origin, or a response, which goes straight back to the viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .pipes import JsonLinesProcess, ProcessGone

BRIDGE = Path(__file__).with_name("viewer_function.mjs")


def _keyed(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """CloudFront Functions' `{name: {value, multiValue}}` shape."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    shaped: dict[str, dict[str, Any]] = {}
    for name, values in grouped.items():
        shaped[name] = {"value": values[0]}
        if len(values) > 1:
            shaped[name]["multiValue"] = [{"value": value} for value in values]
    return shaped


def pairs_of(keyed: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The (name, value) pairs of a `{name: {value, multiValue}}` object."""
    pairs = []
    for name, item in keyed.items():
        values = item.get("multiValue") or [item]
        pairs += [(name, value["value"]) for value in values]
    return pairs


def split_query(raw_query: str) -> list[tuple[str, str]]:
    """Name and value of each query parameter, as received (still URL-encoded)."""
    return [
        (name, value)
        for item in raw_query.split("&")
        if item
        for name, _, value in [item.partition("=")]
    ]


def join_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{name}={value}" if value else name for name, value in pairs)


def viewer_event(
    method: str,
    uri: str,
    raw_query: str,
    headers: Iterable[tuple[str, str]],
    viewer_ip: str,
    request_id: str,
    distribution_host: str,
) -> dict[str, Any]:
    """The viewer-request event CloudFront builds for this request."""
    headers = [(name.lower(), value) for name, value in headers]
    cookies = [
        (name.strip(), value.strip())
        for header, value_list in headers
        if header == "cookie"
        for item in value_list.split(";")
        if item.strip()
        for name, _, value in [item.partition("=")]
    ]
    return {
        "version": "1.0",
        "context": {
            "distributionDomainName": distribution_host,
            "distributionId": "ELOCAL",
            "eventType": "viewer-request",
            "requestId": request_id,
        },
        "viewer": {"ip": viewer_ip},
        "request": {
            "method": method,
            "uri": uri,
            "querystring": _keyed(split_query(raw_query)),
            "headers": _keyed((name, value) for name, value in headers if name != "cookie"),
            "cookies": _keyed(cookies),
        },
    }


class ViewerFunctionError(RuntimeError):
    """The function threw, or node is gone."""


class ViewerFunction(JsonLinesProcess):
    """`infra/viewer_request.js` (or another function file) under node."""

    def __init__(self, source_file: Path, node: str = "node") -> None:
        super().__init__([node, str(BRIDGE), str(source_file)])

    def run(self, event: dict[str, Any], raw_query: str) -> dict[str, Any]:
        """{"request": ...} to go on to the origin, or {"response": ...} for the viewer."""
        try:
            result = self.exchange({"event": event, "rawQueryString": raw_query})
        except ProcessGone as error:
            raise ViewerFunctionError(str(error)) from None
        if "error" in result:
            raise ViewerFunctionError(result["error"])
        return result
