"""The estimate's data: price files (one per region), usage files (one per environment), the
free resource types and the design document's §13.1 lines. Loading validates; a bad file stops the
run with one line naming the file and the field.
"""
from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DATA = Path(__file__).resolve().parent / "data"
PRICES_DIR = DATA / "prices"
USAGE_DIR = DATA / "usage"


class DataError(Exception):
    """A data file that is missing or invalid: the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Price(_Frozen):
    value: float = Field(ge=0)
    unit: str
    source: str  # the AWS pricing page the figure belongs to
    date_read: datetime.date
    basis: str  # regional / assumed equal to ... / unverified: how far the figure is checked
    read_at: str | None = None  # the page the figure was read on, when not the source itself
    note: str | None = None
    unverified: bool = False

    @field_validator("source")
    @classmethod
    def _aws_page(cls, source: str) -> str:
        if not source.startswith("https://aws.amazon.com/"):
            raise ValueError("must be an AWS pricing page (https://aws.amazon.com/...)")
        return source


class PriceFile(_Frozen):
    region: str
    currency: str
    prices: dict[str, Price]


class Figure(_Frozen):
    value: float = Field(ge=0)
    why: str = Field(min_length=1)


class Usage(_Frozen):
    hours_per_month: float = Field(gt=0)
    figures: dict[str, Figure]
    sources: tuple[str, ...] = ()  # the files merged, in order

    def figure(self, name: str) -> Figure:
        try:
            return self.figures[name]
        except KeyError:
            raise DataError(f"usage: no figure '{name}' in {', '.join(self.sources)}") from None


class DesignLine(_Frozen):
    service: str
    low: float
    high: float
    label: str


class Design(_Frozen):
    total: dict[str, Any]
    line: tuple[DesignLine, ...]

    def for_service(self, service: str) -> DesignLine | None:
        return next((line for line in self.line if line.service == service), None)


def _error(path: Path, error: ValidationError) -> DataError:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return DataError(f"{path}: field '{where}': {first['msg']}")


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataError(f"{path}: not valid {path.suffix[1:].upper()} ({error})") from None


def load_prices(region: str, folder: Path = PRICES_DIR) -> PriceFile:
    path = folder / f"{region}.json"
    if not path.exists():
        raise DataError(f"{path}: no price file for region {region}")
    try:
        prices = PriceFile.model_validate(_read(path))
    except ValidationError as error:
        raise _error(path, error) from None
    if prices.region != region:
        raise DataError(f"{path}: field 'region' is {prices.region}, expected {region}")
    return prices


def load_free(path: Path = DATA / "free.json") -> dict[str, str]:
    return {k: v for k, v in _read(path).items() if not k.startswith("//")}


def load_design(path: Path = DATA / "design.toml") -> Design:
    try:
        return Design.model_validate(_read(path))
    except ValidationError as error:
        raise _error(path, error) from None


def load_usage(env: str, extra: Path | None = None, folder: Path = USAGE_DIR) -> Usage:
    """usage/_defaults.toml, then usage/<env>.toml when present, then `extra` (--usage) over both."""
    paths = [folder / "_defaults.toml", folder / f"{env}.toml"]
    paths = [p for p in paths if p.exists()] + ([extra] if extra else [])
    merged: dict[str, Any] = {"figures": {}}
    for path in paths:
        document = _read(path)
        known = set(merged["figures"])
        for key, value in document.items():
            if key == "figures" and isinstance(value, dict):
                # A misspelt figure would otherwise be ignored in silence while the default is used.
                unknown = sorted(set(value) - known) if known else []
                if unknown:
                    raise DataError(f"{path}: field 'figures.{unknown[0]}': no such usage figure "
                                    f"(known: {', '.join(sorted(known))})")
                merged["figures"].update(value)
            else:
                merged[key] = value
        try:
            Usage.model_validate({**merged, "sources": ()})
        except ValidationError as error:
            raise _error(path, error) from None
    return Usage.model_validate({**merged, "sources": tuple(str(p) for p in paths)})
