"""The Flask site: application factory, routes, sessions and the Lambda adapter."""

from .app import create_app

__all__ = ["create_app"]
