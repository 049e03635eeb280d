"""S3 for the session secret key, without AWS: moto's S3 in a thread of the
local server, at an address the worker's boto3 is pointed at
(`AWS_ENDPOINT_URL_S3`). The app reads and creates its key there exactly as
it does on Lambda; the key lasts as long as the local server."""

from __future__ import annotations

import logging
from typing import Any

# boto3 needs credentials to sign requests; moto accepts any.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


class LocalS3:
    def __init__(self, bucket: str, region: str) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per S3 call
        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._create_bucket(bucket, region)

    def _create_bucket(self, bucket: str, region: str) -> None:
        import boto3

        credentials = {name.lower(): value for name, value in FAKE_CREDENTIALS.items()}
        client = boto3.client("s3", endpoint_url=self.endpoint, region_name=region, **credentials)
        # Every region but us-east-1 must be named when the bucket is made.
        where = {"LocationConstraint": region}
        options = {} if region == "us-east-1" else {"CreateBucketConfiguration": where}
        client.create_bucket(Bucket=bucket, **options)

    def environment(self) -> dict[str, str]:
        """What the worker needs to reach this S3 with boto3."""
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL_S3": self.endpoint}

    def close(self) -> None:
        self._server.stop()
