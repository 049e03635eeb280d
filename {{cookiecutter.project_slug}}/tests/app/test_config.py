from __future__ import annotations

import json
from dataclasses import asdict, replace

import pytest
from serverless_flask_kit.config import OVERRIDE_VARIABLE, environment_config

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import SETTINGS_FILE, Settings, SettingsError


def test_settings_file_matches_the_typed_settings(settings: Settings) -> None:
    raw = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert {name: getattr(settings, name) for name in raw} == raw
    assert 0 <= settings.cache_default_ttl_seconds <= settings.cache_max_ttl_seconds
    assert 128 <= settings.lambda_memory_mb <= 10240
    assert 1 <= settings.lambda_timeout_seconds <= 29


def test_settings_reject_wrong_types(settings: Settings) -> None:
    with pytest.raises(TypeError, match="lambda_memory_mb"):
        replace(settings, lambda_memory_mb="256")


def test_settings_reject_default_ttl_above_max(settings: Settings) -> None:
    with pytest.raises(ValueError, match="cache_default_ttl_seconds"):
        replace(settings, cache_default_ttl_seconds=settings.cache_max_ttl_seconds + 1)


def test_log_levels_default_to_info_for_the_app_and_warn_for_lambda(settings: Settings) -> None:
    raw = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert (raw["application_log_level"], raw["system_log_level"]) == ("INFO", "WARN")


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("application_log_level", "info", "TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
        ("application_log_level", "WARNING", "TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
        ("system_log_level", "ERROR", "DEBUG, INFO, WARN"),
    ],
)
def test_settings_reject_log_levels_lambda_does_not_know(
    settings: Settings, name: str, value: str, allowed: str
) -> None:
    with pytest.raises(SettingsError, match=f"{name}: {value!r} is not one of {allowed}"):
        Settings.from_mapping({**asdict(settings), name: value})


@pytest.mark.parametrize("name", ["local_server", "tests", "build", "instance"])
def test_settings_refuse_a_package_name_beside_another_top_level_entry(
    settings: Settings, name: str
) -> None:
    """The project's own tree and its .gitignore say what sits beside the package."""
    with pytest.raises(SettingsError, match=f"package_name: {name!r} clashes with the project's"):
        Settings.from_mapping({**asdict(settings), "package_name": name})


def test_config_layers_in_order(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    app = create_app()
    assert app.config["SECRET_KEY_BUCKET"] is None  # default
    assert app.config["CACHE_DEFAULT_TTL"] == settings.cache_default_ttl_seconds  # settings

    monkeypatch.setenv(OVERRIDE_VARIABLE, json.dumps({"CACHE_DEFAULT_TTL": 7, "STAGE": "prod"}))
    app = create_app()
    assert app.config["CACHE_DEFAULT_TTL"] == 7  # environment beats settings
    assert app.config["STAGE"] == "prod"

    app = create_app({"CACHE_DEFAULT_TTL": 9})
    assert app.config["CACHE_DEFAULT_TTL"] == 9  # explicit overrides beat everything
    assert app.config["STAGE"] == "prod"


def test_environment_config_is_optional() -> None:
    assert environment_config({}) == {}
    assert environment_config({OVERRIDE_VARIABLE: "  "}) == {}


@pytest.mark.parametrize(("raw", "message"), [("{nope", "not valid JSON"), ("[1]", "JSON object")])
def test_environment_config_must_be_a_json_object(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        environment_config({OVERRIDE_VARIABLE: raw})
