"""The project's settings: `settings.json` beside this module, the rules every
value must meet, and one typed object.

`settings.json` is the single source of truth for the deployment's shape: the
Flask app reads it for its defaults, and the infrastructure code for the
Lambda, API Gateway and CloudFront settings. Edit the JSON (not this module) to
change a value; `make synth` and `make deploy` check it first.

`RULES` is the one place the rules live. The template's generation hook applied
them to the answers this project was made from (some answers, like the author,
are not settings), `load_settings()` applies them to the file, and the deploy
workflow and Makefile run this file as a script:

    python <package>/settings.py [--stage NAME] [--print NAME]

It checks settings.json (and the stage), prints one line per problem and exits
1, or prints the value asked for (a setting, `stack_name`, `logging_stack_name`).
Standard library only: the hook and the workflow run it before any install.
The hook loads this file as it is in the template, so it holds no template syntax.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

SETTINGS_FILE = Path(__file__).with_name("settings.json")

# AWS names built from the slug: the stack "<slug>-<stage>", and the
# account-wide CloudFront Function and cache policy "<slug>-<stage>-<region>"
# (the function's name: 64 characters at most). With a 16-character stage and
# a 14-character region, 28 characters of slug keep every name within 60.
SLUG_MAX = 28
STAGE_MAX = 16
# Stacks shared by the stages, named "<slug>-<name>": the region's API Gateway
# logging role, and the account's budget (in us-east-1). A stage of such a name
# would be the same stack.
LOGGING_STAGE = "api-logging"
BUDGET_STAGE = "budget"
SHARED_STACKS = {
    LOGGING_STAGE: "the shared logging stack",
    BUDGET_STAGE: "the budget's stack",
}
# The template's project_slug when project_name has nothing to slugify: never a
# valid slug (trailing '-'), but a usable folder name.
UNUSABLE_NAME_SLUG = "unusable-project-name-"
# API Gateway ends every request after 29 s (its integration timeout).
API_GATEWAY_TIMEOUT_SECONDS = 29
# Measured in UTF-16 code units, as AWS measures descriptions (an emoji outside
# the Basic Multilingual Plane counts 2): the Lambda function's description,
# "<project_name> (<stage>)", then stays within its 256.
TEXT_MAX = 200
ONE_YEAR = 31_536_000
# API Gateway's default throttle quota per account and region (requests per
# second, and the token bucket's size); a stage cannot usefully exceed it.
ACCOUNT_RATE_LIMIT = 10_000
ACCOUNT_BURST_LIMIT = 5_000
BUDGET_MAX_USD = 1_000_000
CHOICES = {
    "python_version": ("3.13", "3.12", "3.14"),
    "architecture": ("arm64", "x86_64"),
    "price_class": ("PriceClass_100", "PriceClass_200", "PriceClass_All"),
    # The levels Lambda accepts for the function's logs (its LoggingConfig).
    "application_log_level": ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"),
    "system_log_level": ("DEBUG", "INFO", "WARN"),
}
# The commercial partition ("aws"), whose ARNs, CloudFront and us-east-1
# certificates the project uses. A region AWS opened since goes here (the
# template's tests compare this list with botocore's).
AWS_REGIONS = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
    "us-west-2",
)  # fmt: skip
# The package's folder sits at the project's top level (in the template too:
# the project template's folder), beside the project's other entries.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

SLUG_RE = re.compile(r"[a-z][a-z0-9-]*")
STAGE_RE = re.compile(r"[a-z][a-z0-9-]{0," + str(STAGE_MAX - 1) + "}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
ZONE_ID_RE = re.compile(r"Z[A-Z0-9]{1,31}")
# CloudFront only uses certificates from us-east-1, whatever the app's region.
CERTIFICATE_ARN_RE = re.compile(r"arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}")
INT_RE = re.compile(r"(0|[1-9][0-9]*)")
NUMBER_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


class SettingsError(ValueError):
    """Settings that break a rule: one message per problem, each naming its key."""

    def __init__(self, problems: list[str], source: str = "settings.json") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


# --- Parsing: answers arrive as text, settings.json holds JSON numbers. -------


def whole_number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def amount(value: object) -> float | None:
    """A non-negative number (int, float or its decimal text), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value >= 0 else None
    if isinstance(value, str) and NUMBER_RE.fullmatch(value.strip()):
        return float(value.strip())
    return None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- The rules: each takes (key, all values) and returns its problems. -------

Rule = Callable[[str, Mapping[str, Any]], list[str]]


def text(required: bool = True) -> Rule:
    """Free text: a string without control characters, of reasonable length."""

    def rule(key: str, values: Mapping[str, Any]) -> list[str]:
        value = values[key]
        if not isinstance(value, str):
            return [f"{key}: {value!r} must be text"]
        if required and not value.strip():
            return [f"{key}: {value!r} must not be empty"]
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
            return [f"{key}: {value!r} must not contain control characters or line breaks"]
        length = utf16_length(value)
        if length > TEXT_MAX:
            return [
                f"{key}: {value[:20]!r}... is {length} characters long; at most {TEXT_MAX} "
                "(an emoji counts as 2)"
            ]
        return []

    return rule


def email(required: bool) -> Rule:
    def rule(key: str, values: Mapping[str, Any]) -> list[str]:
        value = values[key]
        if not required and value == "":
            return []
        problems = text()(key, values)
        if not problems and not EMAIL_RE.fullmatch(value):
            problems.append(f"{key}: {value!r} is not an email address (name@example.com)")
        return problems

    return rule


def integer(low: int, high: int, why: str) -> Rule:
    """A whole number within [low, high]."""

    def rule(key: str, values: Mapping[str, Any]) -> list[str]:
        value = values[key]
        number = whole_number(value)
        if number is None:
            return [f"{key}: {value!r} is not a whole number{why}"]
        if not low <= number <= high:
            return [f"{key}: {value!r} is out of range; allowed {low}..{high}{why}"]
        return []

    return rule


def choice(key: str, values: Mapping[str, Any]) -> list[str]:
    allowed = CHOICES[key]
    if values[key] not in allowed:
        return [f"{key}: {values[key]!r} is not one of {', '.join(allowed)}"]
    return []


def yes_or_no(key: str, values: Mapping[str, Any]) -> list[str]:
    if not isinstance(values[key], bool):
        return [f"{key}: {values[key]!r} must be yes or no (true or false in settings.json)"]
    return []


def check_slug(key: str, values: Mapping[str, Any]) -> list[str]:
    slug = values[key]
    if slug == UNUSABLE_NAME_SLUG:
        name = values.get("project_name", "")
        if not str(name).strip():
            return []  # the project_name rule already reports it empty
        return [
            f"project_name: {name!r} has no letters or digits to make a "
            "project_slug from; add some, or give project_slug ([a-z][a-z0-9-]*)"
        ]
    if (
        not isinstance(slug, str)
        or not SLUG_RE.fullmatch(slug)
        or slug.endswith("-")
        or ("--" in slug)
    ):
        return [
            f"project_slug: {slug!r} is not allowed; use a lower-case letter followed by "
            "a-z, 0-9 or single '-', not ending in '-'"
        ]
    if len(slug) > SLUG_MAX:
        return [
            f"project_slug: {slug!r} is {len(slug)} characters; at most {SLUG_MAX} so that "
            "AWS names built from it (stack, function, cache policy) fit their limits"
        ]
    return []


def project_entry_clashes(name: str) -> bool:
    """Whether a package named `name` would take the path of another entry at
    the project's top level: one the project has (`name`, or a module
    `name`.py), or one its tools create there, as its .gitignore lists them
    (build/, node_modules/, Flask's instance/...)."""
    beside = [entry.name for entry in PROJECT_DIR.iterdir() if entry != PACKAGE_DIR]
    if name in beside or f"{name}.py" in beside:
        return True
    ignore_file = PROJECT_DIR / ".gitignore"
    lines = ignore_file.read_text(encoding="utf-8").splitlines() if ignore_file.is_file() else []
    patterns = (line.strip().strip("/") for line in lines if not line.startswith(("#", "!")))
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns if "/" not in pattern)


def package(taken_module_names: Iterable[str] = ()) -> Rule:
    """A lower-case identifier that shadows no module: the standard library's,
    `taken_module_names` (the template passes its locked dependencies'), or an
    entry at the project's top level."""
    taken = frozenset(taken_module_names)

    def rule(key: str, values: Mapping[str, Any]) -> list[str]:
        name = values[key]
        derived = UNUSABLE_NAME_SLUG.replace("-", "_")
        if values.get("project_slug") == UNUSABLE_NAME_SLUG and name == derived:
            return []  # derived from project_name: the slug rule already names the cause
        if (
            not isinstance(name, str)
            or not (name.isidentifier() and name.isascii())
            or (name != name.lower())
        ):
            return [
                f"{key}: {name!r} is not a lower-case ASCII Python identifier ([a-z_][a-z0-9_]*)"
            ]
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            return [f"{key}: {name!r} is a Python keyword"]
        if name in sys.stdlib_module_names or name in taken:
            return [
                f"{key}: {name!r} clashes with an existing module (standard library "
                "or a dependency); choose another name"
            ]
        if project_entry_clashes(name):
            return [
                f"{key}: {name!r} clashes with the project's own top-level entry of that "
                "name; choose another name"
            ]
        return []

    return rule


def check_region(key: str, values: Mapping[str, Any]) -> list[str]:
    if values[key] not in AWS_REGIONS:
        return [
            f"aws_region: {values[key]!r} is not a known AWS region name (like us-east-1, "
            "eu-west-2, ap-southeast-1); a region newer than this list goes in AWS_REGIONS "
            "in the project's settings.py"
        ]
    return []


def check_stage(key: str, values: Mapping[str, Any]) -> list[str]:
    value = values[key]
    if not isinstance(value, str) or not STAGE_RE.fullmatch(value) or value.endswith("-"):
        return [
            f"{key}: {value!r} is not allowed; use a lower-case letter followed by at most "
            f"{STAGE_MAX - 1} of a-z, 0-9 or '-', not ending in '-'"
        ]
    if value in SHARED_STACKS:
        return [
            f"{key}: {value!r} would share its stack name with {SHARED_STACKS[value]} "
            f"({values.get('project_slug', '<slug>')}-{value}); choose another"
        ]
    return []


def check_cache_order(key: str, values: Mapping[str, Any]) -> list[str]:
    default = whole_number(values[key])
    maximum = whole_number(values.get("cache_max_ttl_seconds"))
    if default is not None and maximum is not None and default > maximum:
        return [
            f"{key}: {values[key]!r} is above cache_max_ttl_seconds ({maximum}); "
            "the default TTL must be <= the maximum"
        ]
    return []


def check_rate(key: str, values: Mapping[str, Any]) -> list[str]:
    rate = amount(values[key])
    if rate is None or not 0 < rate <= ACCOUNT_RATE_LIMIT:
        return [
            f"{key}: {values[key]!r} must be a number of requests per second > 0 and at most "
            f"{ACCOUNT_RATE_LIMIT} (like 100 or 0.5; API Gateway's default quota per account "
            "and region)"
        ]
    return []


def check_budget(key: str, values: Mapping[str, Any]) -> list[str]:
    budget = amount(values[key])
    if budget is None or budget > BUDGET_MAX_USD:
        return [
            f"{key}: {values[key]!r} must be an amount in USD from 0 to {BUDGET_MAX_USD} "
            "(like 5 or 12.50; 0 means no budget)"
        ]
    return []


def check_alarms(key: str, values: Mapping[str, Any]) -> list[str]:
    problems = yes_or_no(key, values)
    if not problems and values[key] and not values.get("alert_email"):
        problems.append(
            f"{key}: alarms need alert_email to notify; give an address or turn alarms off"
        )
    return problems


def is_domain(value: object) -> bool:
    labels = value.split(".") if isinstance(value, str) else []
    return (
        isinstance(value, str)
        and len(value) <= 253
        and len(labels) >= 2
        and all(LABEL_RE.fullmatch(label) for label in labels)
        and (labels[-1].isalpha() or labels[-1].startswith("xn--"))  # IDN top-level domains
    )


def zone_name_of(values: Mapping[str, Any]) -> object:
    """Route 53 writes zone names fully qualified ("example.com."); settings drop the dot."""
    name = values.get("hosted_zone_name", "")
    return name.removesuffix(".") if isinstance(name, str) else name


def check_domain(key: str, values: Mapping[str, Any]) -> list[str]:
    domain = values[key]
    if domain and not is_domain(domain):
        return [
            f"{key}: {domain!r} is not a lower-case domain name like www.example.com "
            "(no scheme, path, port or trailing dot); leave it empty for none"
        ]
    return []


def check_domain_certificate(key: str, values: Mapping[str, Any]) -> list[str]:
    """A domain needs a certificate: one made in its hosted zone, or one given.
    Reported under the last of the domain's keys, so that each earlier one can be
    checked as soon as it is given."""
    domain = values.get("domain_name")
    if domain and not values.get("hosted_zone_id") and not values.get(key):
        return [
            f"{key}: domain_name {domain!r} needs hosted_zone_id (to create its certificate "
            "and DNS records) or certificate_arn (a certificate you made; DNS set up elsewhere)"
        ]
    return []


def needs_domain(key: str, values: Mapping[str, Any]) -> list[str]:
    if values[key] and not values.get("domain_name"):
        return [f"{key}: {values[key]!r} needs domain_name; leave it empty without a custom domain"]
    return []


def domain_option(
    pattern: re.Pattern[str], what: str
) -> Callable[[str, Mapping[str, Any]], list[str]]:
    """A check for an option of the custom domain: empty, or `what` and with a domain."""

    def check(key: str, values: Mapping[str, Any]) -> list[str]:
        value = values[key]
        if value and not pattern.fullmatch(str(value)):
            return [f"{key}: {value!r} is not {what}"]
        return needs_domain(key, values)

    return check


check_zone_id = domain_option(
    ZONE_ID_RE,
    "a Route 53 hosted zone ID (Z followed by up to 31 upper-case letters and digits)",
)


def check_zone_name(key: str, values: Mapping[str, Any]) -> list[str]:
    domain, zone = values.get("domain_name"), zone_name_of(values)
    if not (domain and values.get("hosted_zone_id")) or not is_domain(domain):
        return []
    if not is_domain(zone):
        return [f"{key}: {zone!r} is not a domain name like example.com"]
    if domain != zone and not domain.endswith("." + zone):
        return [
            f"{key}: {zone!r} does not hold domain_name {domain!r}; give "
            "the zone the domain is in (the domain itself or a parent of it)"
        ]
    return []


check_certificate = domain_option(
    CERTIFICATE_ARN_RE,
    "an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>); "
    "CloudFront only accepts certificates from us-east-1",
)


# Every answer and setting, and its rule, in the order problems are reported.
# A new setting needs a line here and a field in Settings.
RULES: dict[str, Rule] = {
    "project_name": text(),
    "description": text(required=False),
    "author_name": text(),
    "author_email": email(required=True),
    "project_slug": check_slug,
    "package_name": package(),
    "aws_region": check_region,
    "stage": check_stage,
    "python_version": choice,
    "architecture": choice,
    "price_class": choice,
    "lambda_memory_mb": integer(128, 10240, " (megabytes)"),
    "lambda_timeout_seconds": integer(
        1,
        API_GATEWAY_TIMEOUT_SECONDS,
        f" (seconds; API Gateway ends every request after {API_GATEWAY_TIMEOUT_SECONDS} s, "
        "so a longer Lambda timeout would only bill for answers nobody receives)",
    ),
    "cache_default_ttl_seconds": integer(0, ONE_YEAR, " (seconds)"),
    "cache_max_ttl_seconds": integer(0, ONE_YEAR, " (seconds, one year at most)"),
    "throttle_rate_limit": check_rate,
    "throttle_burst_limit": integer(
        1,
        ACCOUNT_BURST_LIMIT,
        " (requests; API Gateway's default burst quota per account and region)",
    ),
    "domain_name": check_domain,
    "hosted_zone_id": check_zone_id,
    "hosted_zone_name": check_zone_name,
    "certificate_arn": check_certificate,
    "monthly_budget_usd": check_budget,
    "alert_email": email(required=False),
    "enable_alarms": check_alarms,
    "application_log_level": choice,
    "system_log_level": choice,
    "install_dependencies": yes_or_no,
    "init_git": yes_or_no,
}
# Rules across keys, run once each key's own rule found nothing wrong.
RELATIONS: dict[str, Rule] = {
    "cache_default_ttl_seconds": check_cache_order,
    "certificate_arn": check_domain_certificate,
}


def problems_in(
    values: Mapping[str, Any],
    keys: Iterable[str] | None = None,
    rules: Mapping[str, Rule] = RULES,
) -> list[str]:
    """Every problem with `values` (for all of `rules`' keys, or only `keys`),
    one message each, naming the key, the value given and what is allowed."""
    problems = []
    for key in rules if keys is None else keys:
        if key not in values:
            continue  # not asked (settings.json has its own defaults)
        found = rules[key](key, values)
        if not found and key in RELATIONS:
            found = RELATIONS[key](key, values)
        problems += found
    return problems


@dataclass(frozen=True)
class Settings:
    project_name: str
    project_slug: str
    package_name: str
    aws_region: str
    stage: str
    python_version: str
    architecture: str
    lambda_memory_mb: int
    lambda_timeout_seconds: int
    price_class: str
    cache_default_ttl_seconds: int
    cache_max_ttl_seconds: int
    throttle_rate_limit: float
    throttle_burst_limit: int
    domain_name: str  # "" for none
    hosted_zone_id: str  # Route 53 zone for the domain's records and certificate, or ""
    hosted_zone_name: str
    certificate_arn: str  # an existing us-east-1 certificate, or ""
    monthly_budget_usd: float  # 0 for no budget
    alert_email: str  # "" for none yet
    enable_alarms: bool
    application_log_level: str  # the app's log lines Lambda keeps (CHOICES)
    system_log_level: str  # Lambda's own lines, e.g. each invocation's report (CHOICES)

    def __post_init__(self) -> None:
        """Types always; the relations between fields. (Variants built with
        dataclasses.replace in tests may take values the rules refuse.)"""
        for field in fields(self):
            value = getattr(self, field.name)
            expected = {"int": int, "float": (int, float), "str": str, "bool": bool}[field.type]
            is_bool = isinstance(value, bool)
            if not isinstance(value, expected) or is_bool != (field.type == "bool"):
                raise TypeError(f"setting {field.name}={value!r} should be {field.type}")
        values = asdict(self)
        problems = [
            problem for rule_key, rule in RELATIONS.items() for problem in rule(rule_key, values)
        ]
        if problems:
            raise SettingsError(problems)

    def stack_name(self, stage: str) -> str:
        """The CloudFormation stack of one stage (also its API's name)."""
        return f"{self.project_slug}-{stage}"

    @property
    def logging_stack_name(self) -> str:
        """The stack, shared by the stages in a region, that lets API Gateway log."""
        return self.stack_name(LOGGING_STAGE)

    @property
    def budget_stack_name(self) -> str:
        """The stack of the account's monthly budget, also the budget's name."""
        return self.stack_name(BUDGET_STAGE)

    def makes_budget(self, stage: str) -> bool:
        """Whether deploying `stage` makes the budget: the default stage does, when
        the settings ask for one (it watches the whole account: one is enough)."""
        return self.monthly_budget_usd > 0 and stage == self.stage

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "settings.json") -> Settings:
        """Check `data` against every rule; raise SettingsError naming each problem."""
        names = [field.name for field in fields(cls)]
        problems = [f"{key}: missing (see README.md)" for key in names if key not in data]
        problems += [f"{key}: not a setting this project knows" for key in data if key not in names]
        if not problems:
            problems = problems_in(data, names)
        if problems:
            raise SettingsError(problems, source)
        typed = {
            "int": whole_number,
            "float": amount,
            "str": lambda value: value,
            "bool": lambda value: value,
        }
        values = {field.name: typed[field.type](data[field.name]) for field in fields(cls)}
        values["hosted_zone_name"] = zone_name_of(data) if data["hosted_zone_id"] else ""
        return cls(**values)

    @classmethod
    def from_file(cls, path: Path) -> Settings:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise SettingsError([f"not valid JSON ({error})"], path.name) from None
        if not isinstance(data, dict):
            raise SettingsError(["must hold one JSON object"], path.name)
        return cls.from_mapping(data, path.name)


def check_stage_name(stage: str) -> None:
    """Raise SettingsError unless `stage` is a usable stage name."""
    problems = check_stage("stage", {"stage": stage, "project_slug": load_settings().project_slug})
    if problems:
        raise SettingsError(problems, "STAGE")


@cache
def load_settings() -> Settings:
    """The project's settings, read and checked once per process."""
    return Settings.from_file(SETTINGS_FILE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check settings.json (and a stage name).")
    parser.add_argument("--stage", help="a stage to check (default: settings.json's)")
    printable = [field.name for field in fields(Settings)] + ["stack_name", "logging_stack_name"]
    parser.add_argument("--print", dest="name", choices=printable, help="print this value")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
        stage = settings.stage if arguments.stage is None else arguments.stage
        check_stage_name(stage)
    except SettingsError as error:
        print(f"ERROR: {error}".replace("\n", "\nERROR: "), file=sys.stderr)
        return 1
    if arguments.name == "stack_name":
        print(settings.stack_name(stage))
    elif arguments.name is not None:
        print(getattr(settings, arguments.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
