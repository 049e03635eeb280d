"""AWS without AWS: moto's server in a thread of the local server, at an address
the worker's boto3 is pointed at (`AWS_ENDPOINT_URL`, every service). The app
reads and writes there exactly as it does on Lambda (the secret key's bucket and
whatever else the stack gives the function, stack_resources.py); what it writes
lasts as long as the local server."""

from __future__ import annotations

import logging
from typing import Any

# boto3 needs credentials to sign requests; moto accepts any.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


class LocalAws:
    def __init__(self, region: str) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per call
        self.region = region
        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def client(self, service: str) -> Any:
        """A boto3 client of this moto server, as the worker's would be."""
        import boto3

        credentials = {name.lower(): value for name, value in FAKE_CREDENTIALS.items()}
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=self.region, **credentials
        )

    def environment(self) -> dict[str, str]:
        """What the worker needs to reach this moto server with boto3."""
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def close(self) -> None:
        self._server.stop()
