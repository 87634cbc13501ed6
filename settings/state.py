"""The state backend: where the layers' Terraform states live."""
from __future__ import annotations

from typing import Annotated

from pydantic import StrictStr, StringConstraints

from settings.base import Frozen, Region

class StateBackend(Frozen):
    """Where the layers' Terraform states live (one S3 bucket, one key per layer)."""

    bucket: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    region: Region
