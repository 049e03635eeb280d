"""The answers given when this project was generated, as one typed object.

`settings.json` beside it is the single source of truth for the app's defaults and the
infrastructure's shape: edit the JSON, not this module, to change a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

SETTINGS_FILE = Path(__file__).with_name("settings.json")
# The levels Lambda accepts for the function's logs (its LoggingConfig).
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")


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
    application_log_level: str  # the app's log lines Lambda keeps (APPLICATION_LOG_LEVELS)
    system_log_level: str  # Lambda's own lines, e.g. each invocation's report (SYSTEM_LOG_LEVELS)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            expected = {"int": int, "float": (int, float), "str": str, "bool": bool}[field.type]
            is_bool = isinstance(value, bool)
            if not isinstance(value, expected) or is_bool != (field.type == "bool"):
                raise TypeError(f"setting {field.name}={value!r} should be {field.type}")
        if not 0 <= self.cache_default_ttl_seconds <= self.cache_max_ttl_seconds:
            raise ValueError(
                "cache_default_ttl_seconds must be between 0 and cache_max_ttl_seconds"
            )
        for name, allowed in (
            ("application_log_level", APPLICATION_LOG_LEVELS),
            ("system_log_level", SYSTEM_LOG_LEVELS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"setting {name}={getattr(self, name)!r}: use one of {', '.join(allowed)}"
                )

    def stack_name(self, stage: str) -> str:
        """The CloudFormation stack of one stage (also its API's and budget's name)."""
        return f"{self.project_slug}-{stage}"

    @property
    def logging_stack_name(self) -> str:
        """The stack, shared by the stages in a region, that lets API Gateway log."""
        return f"{self.project_slug}-api-logging"

    @classmethod
    def from_file(cls, path: Path) -> Settings:
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data) - {field.name for field in fields(cls)}
        if unknown:
            raise ValueError(f"{path.name}: unknown settings {sorted(unknown)}")
        return cls(**data)


@cache
def load_settings() -> Settings:
    """The project's settings, read once per process."""
    return Settings.from_file(SETTINGS_FILE)
