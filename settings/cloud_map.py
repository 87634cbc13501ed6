"""05-cloud-map's settings: the private DNS namespace and its services."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, SettingError

class CloudMap(Frozen):
    """05-cloud-map: the private DNS namespace and one service registration per microservice."""

    namespace: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*\.[a-z]+$")]
    services: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")], ...] = Field(min_length=1)
    dns_ttl: Annotated[StrictInt, Field(ge=0, le=86400)]
    ecs_health_checks: StrictBool   # the registrations take the health ECS reports (design switch)

    @model_validator(mode="after")
    def _unique(self) -> "CloudMap":
        if len(set(self.services)) != len(self.services):
            raise SettingError("cloud_map.services", f"lists a service twice: {list(self.services)}")
        return self
