"""A stage of the project, as the constructs that make it up see it."""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.settings import Settings


@dataclass(frozen=True)
class Deployment:
    """The settings a stage's resources are built from, and the names they share."""

    settings: Settings
    stage: str

    def edge_name(self, region: str) -> str:
        """The account-wide CloudFront resources' name (function, cache and headers
        policies): unique per project, stage and region."""
        return f"{self.settings.project_slug}-{self.stage}-{region}"

    @property
    def name(self) -> str:
        """The stage's stack name, also its API's and usage plan's."""
        return self.settings.stack_name(self.stage)

    @property
    def description(self) -> str:
        return f"{self.settings.project_name} ({self.stage})"
