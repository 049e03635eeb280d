"""Run the Lambda handler on one API Gateway event, here, and print the response.

    python -m tests.invoke /api/time                        # GET, event built like API Gateway's
    python -m tests.invoke /session --method POST --data 'a=1' --header 'Cookie: session=...'
    python -m tests.invoke '/search?q=x' --print-event > event.json   # save it, edit it
    python -m tests.invoke --event event.json               # a saved event ('-': stdin)

The event comes from the kit's builder (serverless_flask_kit/events.py), the handler is the one
Lambda runs (`lambda_handler.handler`, deployed config: Secure cookies), and
the response prints like `curl -i`: status, headers, body. No AWS: the
session secret key is the local file `make dev` uses, and logging is plain text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from serverless_flask_kit.events import response_body, response_headers, rest_event


def event_from(args: argparse.Namespace) -> dict[str, Any]:
    if args.event:
        source = sys.stdin if args.event == "-" else open(args.event, encoding="utf-8")  # noqa: SIM115
        with source:
            return json.load(source)
    url = urlsplit(args.path)
    headers = [header.split(":", 1) for header in args.header]
    return rest_event(
        url.path or "/",
        method=args.method,
        headers=[(name.strip(), value.strip()) for name, value in headers],
        query=parse_qsl(url.query, keep_blank_values=True) or None,
        body=args.data.encode() if args.data is not None else None,
    )


def printable(response: dict[str, Any]) -> str:
    """Status line, headers and body, like `curl -i`; binary bodies as their size."""
    headers = response_headers(response)
    status = int(response["statusCode"])
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a code Python does not name, e.g. 299
        phrase = ""
    lines = [f"{status} {phrase}".rstrip()]
    lines += [f"{name}: {value}" for name, values in sorted(headers.items()) for value in values]
    body = response_body(response)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        text = f"<{len(body)} bytes of {headers.get('content-type', ['?'])[0]}>"
    return "\n".join([*lines, "", text])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.invoke",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default="/", help="site path, query string included")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' (repeat)")
    parser.add_argument("--data", help="request body")
    parser.add_argument("--event", help="a saved API Gateway event (JSON file, '-' for stdin)")
    parser.add_argument("--print-event", action="store_true", help="print the event, not run it")
    args = parser.parse_args(argv)
    if any(":" not in header for header in args.header):
        parser.error("--header takes 'Name: value'")
    event = event_from(args)
    if args.print_event:
        print(json.dumps(event, indent=2))
        return 0
    from {{ cookiecutter.package_name }}.lambda_handler import handler

    print(printable(handler(event, None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
