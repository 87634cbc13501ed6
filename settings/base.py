"""What every settings section builds on: the frozen model, the error that names a field, and the
value types several sections share."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StrictStr, StringConstraints

Name = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", min_length=2, max_length=40)]
Region = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2}-[a-z]+-\d$")]
Tags = dict[Annotated[StrictStr, StringConstraints(min_length=1, max_length=128)],
            Annotated[StrictStr, StringConstraints(max_length=256)]]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SettingError(ValueError):
    """A value that is well-typed but wrong; `field` is its dotted path in the environment file."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


ParameterRoot = Annotated[StrictStr, StringConstraints(pattern=r"^/[a-z0-9][a-z0-9._-]*$")]
LogRetention = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                       3288, 3653]   # the days CloudWatch Logs accepts
