"""The origin secret: the value CloudFront adds to every request it sends to API
Gateway, as `x-api-key` (API Gateway requires it) and as `X-Origin-Verify` (the function
checks it again).

Two SSM parameters per stage (standard tier, free), the slots `.../origin-secret/blue`
and `.../green`, hold 256 random bits each, both accepted; a third, `.../sent`, names
the slot CloudFront sends. The stack holds only references to the parameter versions
`make deploy` reads (never the values, so not in git, outputs or logs); a new value
changes the template, and CloudFormation updates what uses it.

`make rotate-origin-secret` takes two deploys, each accepting what CloudFront sends at
every moment: `switch` (CloudFront sends the other slot), then `renew-standby` (a fresh
value for the slot no longer sent: the old value is refused from then on).
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SLOTS = ("blue", "green")
SENT = "sent"
# 256 bits, as 64 hex digits: also a valid API key value (20-128 letters and digits).
SECRET_BYTES = 32
CONTEXT_KEY = "origin_secret"
_SLOT_VERSION = re.compile(r"([a-z]+):([1-9][0-9]*)")
# CloudFormation's dynamic reference to a String parameter.
{% raw %}_REFERENCE_OPEN, _REFERENCE_CLOSE = "{{resolve:ssm:", "}}"{% endraw %}


def new_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def parameter_prefix(project_slug: str, stage: str) -> str:
    """The parameters' common path for one stage of a project."""
    return f"/{project_slug}/{stage}/origin-secret"


@dataclass(frozen=True)
class OriginSecretRefs:
    """Which slot CloudFront sends and, once deployed, each slot's version."""

    prefix: str
    sent: str = SLOTS[0]
    versions: Mapping[str, int] = field(default_factory=dict)

    def reference(self, slot: str) -> str:
        version = self.versions.get(slot)
        name = f"{self.prefix}/{slot}" + (f":{version}" if version else "")
        return _REFERENCE_OPEN + name + _REFERENCE_CLOSE

    @property
    def sent_reference(self) -> str:
        return self.reference(self.sent)

    @property
    def accepted_references(self) -> list[str]:
        return [self.reference(slot) for slot in SLOTS]

    def context_value(self) -> str:
        """`<sent>[,<slot>:<version>...]`, e.g. `green,blue:3,green:5`."""
        pinned = [f"{slot}:{self.versions[slot]}" for slot in SLOTS if slot in self.versions]
        return ",".join([self.sent, *pinned])

    @classmethod
    def from_context(cls, prefix: str, value: str | None) -> OriginSecretRefs:
        """The refs the `origin_secret` context describes (None: not deployed yet)."""
        if value is None:
            return cls(prefix)
        sent, *pinned = value.split(",")
        versions = {}
        for item in pinned:
            match = _SLOT_VERSION.fullmatch(item)
            if not match or match[1] not in SLOTS:
                raise ValueError(f"{CONTEXT_KEY} context: bad slot version {item!r} in {value!r}")
            versions[match[1]] = int(match[2])
        if sent not in SLOTS or (versions and set(versions) != set(SLOTS)):
            raise ValueError(
                f"{CONTEXT_KEY} context {value!r}: expected <sent slot>[,<slot>:<version> "
                f"for each of {', '.join(SLOTS)}]"
            )
        return cls(prefix, sent, versions)


class OriginSecretStore:
    """The stage's parameters in SSM Parameter Store (`ssm` is a boto3 client)."""

    def __init__(self, ssm: Any, prefix: str) -> None:
        self.ssm = ssm
        self.prefix = prefix

    def _name(self, item: str) -> str:
        return f"{self.prefix}/{item}"

    def _put(self, item: str, value: str, *, overwrite: bool) -> bool:
        try:
            self.ssm.put_parameter(
                Name=self._name(item),
                Description="The site's origin secret (infra/origin_secret.py)",
                Value=value,
                Type="String",  # CloudFormation resolves String (not SecureString) here
                Tier="Standard",
                Overwrite=overwrite,
            )
        except self.ssm.exceptions.ParameterAlreadyExists:
            return False
        return True

    def _read(self) -> dict[str, dict[str, Any]]:
        names = [self._name(item) for item in (*SLOTS, SENT)]
        found = self.ssm.get_parameters(Names=names)["Parameters"]
        return {parameter["Name"].rsplit("/", 1)[1]: parameter for parameter in found}

    def ensure(self) -> bool:
        """Create whichever parameter is missing; True if any was."""
        created = [self._put(slot, new_secret(), overwrite=False) for slot in SLOTS]
        created.append(self._put(SENT, SLOTS[0], overwrite=False))
        return any(created)

    def refs(self) -> OriginSecretRefs:
        """The deployed state, or latest-version references if not created yet."""
        found = self._read()
        if set(found) != {*SLOTS, SENT}:
            return OriginSecretRefs(self.prefix)
        versions = {slot: int(found[slot]["Version"]) for slot in SLOTS}
        return OriginSecretRefs(self.prefix, found[SENT]["Value"], versions)

    def switch(self) -> str:
        """Make CloudFront send the other slot (after the next deploy)."""
        current = self.refs().sent
        other = SLOTS[1 - SLOTS.index(current)]
        self._put(SENT, other, overwrite=True)
        return other

    def renew_standby(self) -> str:
        """A fresh value for the slot CloudFront does not send."""
        standby = SLOTS[1 - SLOTS.index(self.refs().sent)]
        self._put(standby, new_secret(), overwrite=True)
        return standby


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m infra.origin_secret", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "command",
        choices=["context", "switch", "renew-standby"],
        help="context: print the cdk context argument (versions, never values)",
    )
    parser.add_argument("--stage", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--create", action="store_true", help="context: create what is missing")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from {{ cookiecutter.package_name }}.settings import load_settings

    prefix = parameter_prefix(load_settings().project_slug, args.stage)
    # A session of its own: credentials are looked up now, not reused from earlier calls.
    ssm = boto3.session.Session(region_name=args.region).client("ssm")
    store = OriginSecretStore(ssm, prefix)
    try:
        run(store, args.command, create=args.create)
    except (BotoCoreError, ClientError) as error:
        sys.exit(f"origin secret ({prefix}): {error}")


def run(store: OriginSecretStore, command: str, *, create: bool) -> None:
    if command == "context":
        if create and store.ensure():
            print(f"Created the origin secret parameters under {store.prefix}", file=sys.stderr)
        print(f"{CONTEXT_KEY}={store.refs().context_value()}")
    elif command == "switch":
        slot = store.switch()
        print(f"CloudFront sends the {slot} slot from the next deploy on", file=sys.stderr)
    else:
        slot = store.renew_standby()
        print(f"New {slot} value: the old one is refused after the next deploy", file=sys.stderr)


if __name__ == "__main__":
    main()
