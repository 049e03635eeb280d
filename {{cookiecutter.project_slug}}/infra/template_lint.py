"""cfn-lint on every template a synth wrote, each against its own stack's region
(`make synth`): a resource type missing from one region's CloudFormation registry
(F3006) only shows when linted for that region.

    python -m infra.template_lint [CDK_OUT]

The stacks and their regions come from the cloud assembly's manifest.json: the
stacks the app made in that synth (the stage's, the region's logging stack, the
budget's and a certificate's in us-east-1), never a template an earlier synth
left behind. The project's .cfnlintrc lists the rules left out, and why.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import chdir
from pathlib import Path

from cfnlint.api import ManualArgs, lint_file

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STACK_ARTIFACT = "aws:cloudformation:stack"
UNKNOWN_REGION = "unknown-region"  # CDK's region of a stack without one


def templates_by_region(assembly: Path) -> dict[str, list[Path]]:
    """The templates in `assembly` (a synth's output folder), by their stack's region."""
    manifest = json.loads((assembly / "manifest.json").read_text(encoding="utf-8"))
    by_region: dict[str, list[Path]] = {}
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] != STACK_ARTIFACT:
            continue
        region = artifact["environment"].rsplit("/", 1)[-1]
        if region == UNKNOWN_REGION:
            raise ValueError(f"{name}: the stack has no region to lint it for")
        template = assembly / artifact["properties"]["templateFile"]
        by_region.setdefault(region, []).append(template.resolve())
    return by_region


def findings(template: Path, region: str) -> list[str]:
    """What cfn-lint says about the template file for `region`, with .cfnlintrc."""
    with chdir(PROJECT_ROOT):  # cfn-lint reads .cfnlintrc from the working folder
        return [str(match) for match in lint_file(template, ManualArgs(regions=[region]))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assembly", nargs="?", type=Path, default=PROJECT_ROOT / "cdk.out")
    arguments = parser.parse_args(argv)
    found_any = False
    for region, templates in templates_by_region(arguments.assembly).items():
        for template in templates:
            found = findings(template, region)
            print(f"cfn-lint {template.name} for {region}: {len(found)} finding(s)")
            for finding in found:
                print(f"  {finding}")
            found_any = found_any or bool(found)
    return 1 if found_any else 0


if __name__ == "__main__":
    sys.exit(main())
