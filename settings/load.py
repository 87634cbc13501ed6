"""Reading an environment: `envs/_defaults.toml` merged with `envs/<name>.toml`, the design
switches of its profile applied where the file does not set them (`settings.profile`), validated.

Every failure is a `ConfigError` naming the file and the field, so the app can print one line and
exit non-zero before anything is synthesized.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from settings.base import SettingError
from settings.model import Environment
from settings.profile import PROFILES, SWITCHES_FILE, ProfileError, apply_profile, load_switches, set_path

ENVS_DIR = Path(__file__).resolve().parent.parent / "envs"
ENVS_DIR_VARIABLE = "PETCLINIC_ENVS_DIR"  # another folder of environment files (tests, private envs)
DEFAULTS_FILE = "_defaults.toml"
ENV_VARIABLE = "PETCLINIC_ENV"
DEFAULT_ENV = "dev"


class ConfigError(Exception):
    """Bad environment data: says which file, which field and what is wrong."""

    def __init__(self, file: Path | str, field: str, message: str):
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{self.file}: {field}: {message}" if field else f"{self.file}: {message}")


def envs_dir_from_environment() -> Path:
    return Path(os.environ.get(ENVS_DIR_VARIABLE) or ENVS_DIR)


def known_environments(envs_dir: Path | None = None) -> list[str]:
    envs_dir = envs_dir or envs_dir_from_environment()
    return sorted(p.stem for p in envs_dir.glob("*.toml") if not p.name.startswith("_"))


def selected_environment() -> str:
    return os.environ.get(ENV_VARIABLE) or DEFAULT_ENV


def load_environment(name: str, envs_dir: Path | None = None, *, profile: str | None = None,
                     switch_values: Mapping[str, Any] | None = None) -> Environment:
    """`profile` replaces the file's own (a tool asking "this environment as designed");
    `switch_values` force design switches, over everything (the ladder flips one at a time)."""
    envs_dir = envs_dir or envs_dir_from_environment()
    path = envs_dir / f"{name}.toml"
    if name.startswith("_") or not path.is_file():
        raise ConfigError(ENV_VARIABLE, "", f"unknown environment {name!r}; known: {', '.join(known_environments(envs_dir))}"
                          f" (one file each in {envs_dir})")
    own = _read_toml(path)
    defaults = envs_dir / DEFAULTS_FILE
    data = _deep_merge(_read_toml(defaults), own)
    if "profile" not in own:
        raise ConfigError(path, "profile", f"is required: one of {', '.join(PROFILES)}")
    if own["profile"] not in PROFILES:
        raise ConfigError(path, "profile", f"unknown profile {own['profile']!r}; known: {', '.join(PROFILES)}")
    if profile is not None and profile not in PROFILES:
        raise ConfigError(path, "profile", f"unknown profile {profile!r} asked for; known: {', '.join(PROFILES)}")
    data["profile"] = profile or own["profile"]
    try:
        switches = load_switches(envs_dir)
    except ProfileError as error:
        raise ConfigError(error.file, error.field, error.message) from None
    if data["profile"] == "to-be" and not any(s.in_profile for s in switches):
        raise ConfigError(path, "profile", f"'to-be' takes its switch values from {envs_dir / SWITCHES_FILE}, "
                                           "which is missing or sets none")
    data = apply_profile(data, {} if profile else own, data["profile"], switches)
    known = {s.path for s in switches}
    for switch_path, value in (switch_values or {}).items():
        if switch_path not in known:
            raise ConfigError(envs_dir / SWITCHES_FILE, switch_path, "is not a design switch")
        set_path(data, switch_path, value)
    if "name" in data:
        raise ConfigError(path, "name", "is the file name; do not set it in the file")
    data["name"] = name
    try:
        env = Environment.model_validate(data)
    except ValidationError as exc:
        error = _as_config_error(path, exc)
        if not defaults.is_file():
            # Most fields come from the shared defaults: say that they are missing, not only the field.
            error = ConfigError(path, error.field, f"{error.message} ({DEFAULTS_FILE} was not found beside "
                                                   f"{path.name} in {envs_dir}; copy it there too)")
        raise error from None
    # §5.1/§8.4: an environment whose file says to-be serves HTTPS, so it needs a certificate or the
    # means to request one (not asked of a deployed environment viewed "as designed" by a tool).
    if own["profile"] == "to-be" and not env.application.alb.https:
        raise ConfigError(path, "application.alb.certificate_arn", "a to-be environment needs application.alb."
                          "certificate_arn, or application.alb.domain_name with application.alb.hosted_zone_id")
    # API Gateway verifies the ALB's certificate: it must call a name the certificate covers, which
    # only a domain (and its zone, for the alias record) gives. Asked where the file decides (its
    # profile to-be, or the switch set in it), not of a tool's forced view of a deployed environment.
    sets_it = "https_to_alb" in (own.get("api_gateway") or {})
    if env.api_gateway.https_to_alb and not env.application.alb.domain_name and (own["profile"] == "to-be" or sets_it):
        raise ConfigError(path, "api_gateway.https_to_alb", "needs application.alb.domain_name with application.alb."
                          "hosted_zone_id (the name the ALB's certificate covers and API Gateway calls); or set it false")
    return env


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"is not valid TOML: {exc}") from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not key.endswith("tags"):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _as_config_error(path: Path, exc: ValidationError) -> ConfigError:
    error = exc.errors()[0]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SettingError):
        return ConfigError(path, cause.field, str(cause))
    field = ""
    for part in error["loc"]:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    if error["type"] == "missing":
        return ConfigError(path, field, "is required but missing")
    got = error.get("input")
    shown = f" (got {got!r})" if not isinstance(got, dict) else ""
    return ConfigError(path, field, f"{error['msg']}{shown}")
