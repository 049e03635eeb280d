"""Validate every answer before cookiecutter writes a single project file.

Cookiecutter renders this file with Jinja first. The answers arrive through
`tojson` inside a raw string (tojson escapes quotes, so nothing a user types can
end that string or inject code) and are parsed back with `json.loads`.

Each problem is reported on its own line, naming the key, the value given and
what is allowed; any problem exits 1, and cookiecutter then removes the
project directory it created.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata

ANSWERS: dict = json.loads(r"""{{ cookiecutter | tojson }}""")
# Read from the template's own files while this hook is rendered
# (local_extensions.TemplateFacts): hooks/aws_regions.txt, and the modules of
# every distribution pinned in the project's uv.lock.
AWS_REGIONS: list = json.loads(r"""{{ aws_regions | tojson }}""")
LOCKED_MODULES: list = json.loads(r"""{{ locked_module_names | tojson }}""")

# AWS names built from the slug: the stack "<slug>-<stage>", and the
# account-wide CloudFront Function and cache policy "<slug>-<stage>-<region>"
# (the function's name: 64 characters at most). With a 16-character stage and
# a 14-character region, 28 characters of slug keep every name within 60.
SLUG_MAX = 28
# cookiecutter.json's project_slug when project_name has nothing to slugify.
# Never a valid slug (trailing '-'), but a usable folder name, so cookiecutter
# reaches this hook instead of failing on an empty directory name.
UNUSABLE_NAME_SLUG = "unusable-project-name-"
STAGE_MAX = 16
SLUG_RE = re.compile(r"[a-z][a-z0-9-]*")
STAGE_RE = re.compile(r"[a-z][a-z0-9-]{0,15}")
# The region's stack shared by the stages is "<slug>-api-logging": a stage of
# that name would be the same stack.
LOGGING_STAGE = "api-logging"
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LABEL_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
ZONE_ID_RE = re.compile(r"Z[A-Z0-9]{1,31}")
# CloudFront only uses certificates from us-east-1, whatever the app's region.
CERTIFICATE_ARN_RE = re.compile(r"arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}")
INT_RE = re.compile(r"(0|[1-9][0-9]*)")
NUMBER_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
# Measured in UTF-16 code units, as AWS measures descriptions (an emoji outside
# the Basic Multilingual Plane counts 2): the Lambda function's description,
# "<project_name> (<stage>)", then stays within its 256.
TEXT_MAX = 200
ONE_YEAR = 31_536_000
# API Gateway's default throttle quota per account and region (requests per
# second, and the token bucket's size); a stage cannot usefully exceed it.
ACCOUNT_RATE_LIMIT = 10_000
ACCOUNT_BURST_LIMIT = 5_000
CHOICES = {
    "python_version": ("3.13", "3.12", "3.14"),
    "architecture": ("arm64", "x86_64"),
    "price_class": ("PriceClass_100", "PriceClass_200", "PriceClass_All"),
}
# The generated project's own top-level folders.
PROJECT_FOLDERS = {"build", "build_tools", "docs", "infra", "node_modules", "tests"}


def check_text(key: str, value: object, required: bool = True) -> list[str]:
    """Free text: a string without control characters, of reasonable length."""
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


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_slug(a: dict) -> list[str]:
    slug = a["project_slug"]
    if slug == UNUSABLE_NAME_SLUG:
        if not str(a["project_name"]).strip():
            return []  # check_text already reports the empty project_name
        return [
            f"project_name: {a['project_name']!r} has no letters or digits to make a "
            "project_slug from; add some, or give project_slug ([a-z][a-z0-9-]*)"
        ]
    if not SLUG_RE.fullmatch(slug) or slug.endswith("-") or "--" in slug:
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


def check_package(a: dict) -> list[str]:
    name = a["package_name"]
    if a["project_slug"] == UNUSABLE_NAME_SLUG and name == UNUSABLE_NAME_SLUG.replace("-", "_"):
        return []  # derived from project_name: check_slug already names the cause
    if not name.isidentifier() or not name.isascii() or name != name.lower():
        return [
            f"package_name: {name!r} is not a lower-case ASCII Python identifier ([a-z_][a-z0-9_]*)"
        ]
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return [f"package_name: {name!r} is a Python keyword"]
    if name in sys.stdlib_module_names or name in LOCKED_MODULES:
        return [
            f"package_name: {name!r} clashes with an existing module (standard library "
            "or a dependency); choose another name"
        ]
    if name in PROJECT_FOLDERS:
        return [f"package_name: {name!r} clashes with the project's folder of that name"]
    return []


def check_email(a: dict) -> list[str]:
    value = a["author_email"]
    problems = check_text("author_email", value)
    if not problems and not EMAIL_RE.fullmatch(value):
        problems.append(f"author_email: {value!r} is not an email address (name@example.com)")
    return problems


def check_region(a: dict) -> list[str]:
    value = a["aws_region"]
    if value not in AWS_REGIONS:
        return [
            f"aws_region: {value!r} is not a known AWS region name (like us-east-1, eu-west-2, "
            "ap-southeast-1); a region newer than the template goes in its "
            "hooks/aws_regions.txt"
        ]
    return []


def check_stage(a: dict) -> list[str]:
    value = a["stage"]
    if not STAGE_RE.fullmatch(value) or value.endswith("-"):
        return [
            f"stage: {value!r} is not allowed; use a lower-case letter followed by at most "
            f"{STAGE_MAX - 1} of a-z, 0-9 or '-', not ending in '-'"
        ]
    if value == LOGGING_STAGE:
        return [
            f"stage: {value!r} would share its stack name with the shared logging stack "
            f"({a['project_slug']}-{LOGGING_STAGE}); choose another"
        ]
    return []


def check_choices(a: dict) -> list[str]:
    return [
        f"{key}: {a[key]!r} is not one of {', '.join(allowed)}"
        for key, allowed in CHOICES.items()
        if a[key] not in allowed
    ]


def integer(
    a: dict, key: str, low: int, high: int | None, why: str = ""
) -> tuple[int | None, list[str]]:
    """Parse a whole number within [low, high]; return it and any problem."""
    value = a[key]
    text = str(value).strip()
    if not INT_RE.fullmatch(text):
        return None, [f"{key}: {value!r} is not a whole number{why}"]
    number = int(text)
    if number < low or (high is not None and number > high):
        allowed = f"{low}..{high}" if high is not None else f">= {low}"
        return None, [f"{key}: {value!r} is out of range; allowed {allowed}{why}"]
    return number, []


def check_lambda(a: dict) -> list[str]:
    _, memory = integer(a, "lambda_memory_mb", 128, 10240, " (megabytes)")
    _, timeout = integer(
        a,
        "lambda_timeout_seconds",
        1,
        29,
        " (seconds; API Gateway ends every request after 29 s, so a longer Lambda "
        "timeout would only bill for answers nobody receives)",
    )
    return memory + timeout


def check_cache(a: dict) -> list[str]:
    default, problems = integer(a, "cache_default_ttl_seconds", 0, ONE_YEAR, " (seconds)")
    maximum, more = integer(a, "cache_max_ttl_seconds", 0, ONE_YEAR, " (seconds, one year at most)")
    problems += more
    if default is not None and maximum is not None and default > maximum:
        problems.append(
            f"cache_default_ttl_seconds: {a['cache_default_ttl_seconds']!r} is above "
            f"cache_max_ttl_seconds ({maximum}); the default TTL must be <= the maximum"
        )
    return problems


def check_throttle(a: dict) -> list[str]:
    problems = []
    rate = str(a["throttle_rate_limit"]).strip()
    if not NUMBER_RE.fullmatch(rate) or not 0 < float(rate) <= ACCOUNT_RATE_LIMIT:
        problems.append(
            f"throttle_rate_limit: {a['throttle_rate_limit']!r} must be a number of "
            f"requests per second > 0 and at most {ACCOUNT_RATE_LIMIT} (like 100 or 0.5; "
            "API Gateway's default quota per account and region)"
        )
    _, burst = integer(
        a,
        "throttle_burst_limit",
        1,
        ACCOUNT_BURST_LIMIT,
        " (requests; API Gateway's default burst quota per account and region)",
    )
    return problems + burst


def is_domain(value: object) -> bool:
    labels = value.split(".") if isinstance(value, str) else []
    return (
        isinstance(value, str)
        and len(value) <= 253
        and len(labels) >= 2
        and all(LABEL_RE.fullmatch(label) for label in labels)
        and (labels[-1].isalpha() or labels[-1].startswith("xn--"))  # IDN top-level domains
    )


def check_domain(a: dict) -> list[str]:
    """The custom domain, and how its certificate and DNS records are made."""
    domain, zone_id, zone_name, certificate = (
        a["domain_name"], a["hosted_zone_id"], a["hosted_zone_name"], a["certificate_arn"]
    )  # fmt: skip
    # Route 53 writes zone names fully qualified ("example.com."); settings.json drops the dot.
    zone_name = zone_name.removesuffix(".") if isinstance(zone_name, str) else zone_name
    problems = []
    if domain and not is_domain(domain):
        problems.append(
            f"domain_name: {domain!r} is not a lower-case domain name like www.example.com "
            "(no scheme, path, port or trailing dot); leave it empty for none"
        )
    if zone_id and not ZONE_ID_RE.fullmatch(zone_id):
        problems.append(
            f"hosted_zone_id: {zone_id!r} is not a Route 53 hosted zone ID "
            "(Z followed by up to 31 upper-case letters and digits)"
        )
    if certificate and not CERTIFICATE_ARN_RE.fullmatch(certificate):
        problems.append(
            f"certificate_arn: {certificate!r} is not an ACM certificate ARN in us-east-1 "
            "(arn:aws:acm:us-east-1:<account>:certificate/<id>); CloudFront only accepts "
            "certificates from us-east-1"
        )
    if not domain:
        problems += [
            f"{key}: {a[key]!r} needs domain_name; leave it empty without a custom domain"
            for key in ("hosted_zone_id", "certificate_arn")
            if a[key]
        ]
        return problems
    if zone_id:
        if not is_domain(zone_name):
            problems.append(
                f"hosted_zone_name: {zone_name!r} is not a domain name like example.com"
            )
        elif domain != zone_name and not domain.endswith("." + zone_name):
            problems.append(
                f"hosted_zone_name: {zone_name!r} does not hold domain_name {domain!r}; give "
                "the zone the domain is in (the domain itself or a parent of it)"
            )
    elif not certificate:
        problems.append(
            f"domain_name: {domain!r} needs hosted_zone_id (to create its certificate and DNS "
            "records) or certificate_arn (a certificate you made; DNS set up elsewhere)"
        )
    return problems


def check_budget(a: dict) -> list[str]:
    """Billing guardrails: a budget amount, an alert address, alarms."""
    problems = []
    budget = str(a["monthly_budget_usd"]).strip()
    if not NUMBER_RE.fullmatch(budget) or float(budget) > 1_000_000:
        problems.append(
            f"monthly_budget_usd: {a['monthly_budget_usd']!r} must be an amount in USD "
            "from 0 to 1000000 (like 5 or 12.50; 0 means no budget)"
        )
    email = a["alert_email"]
    if email:
        email_problems = check_text("alert_email", email)
        if not email_problems and not EMAIL_RE.fullmatch(email):
            email_problems.append(
                f"alert_email: {email!r} is not an email address (name@example.com)"
            )
        problems += email_problems
    elif a["enable_alarms"] is True:
        problems.append(
            "enable_alarms: alarms need alert_email to notify; give an address or answer no"
        )
    return problems


def check_booleans(a: dict) -> list[str]:
    return [
        f"{key}: {a[key]!r} must be yes or no"
        for key in ("install_dependencies", "init_git", "enable_alarms")
        if not isinstance(a[key], bool)
    ]


def problems_in(a: dict) -> list[str]:
    """Every problem with the answers, one message each."""
    problems = check_text("project_name", a["project_name"])
    problems += check_text("description", a["description"], required=False)
    problems += check_text("author_name", a["author_name"])
    for check in (
        check_email, check_slug, check_package, check_region, check_stage,
        check_choices, check_lambda, check_cache, check_throttle, check_domain,
        check_budget, check_booleans,
    ):  # fmt: skip
        problems += check(a)
    return problems


def main() -> int:
    problems = problems_in(ANSWERS)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print("Nothing was generated; run cookiecutter again with valid answers.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
