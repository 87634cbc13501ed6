"""The typed, immutable settings of one environment, as read from `envs/<name>.toml`: `Environment`
composes one model per section (`settings/<section>.py`, each a frozen pydantic model).

Field-level checks (types, CIDR syntax, required fields) are pydantic's; the checks that relate
fields to each other (subnets inside the VPC, no overlaps, AZs in the region, one subnet of each
tier per AZ) live in the sections' and `Environment`'s validators. Nothing here knows about layers or cdktf.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import StrictStr, StringConstraints, model_validator

from settings.api_gateway import ApiGateway
from settings.application import TARGET_GROUP_NAME_MAX, Application
from settings.aws_native import AwsNative
from settings.base import Frozen, Name, Region, SettingError, Tags
from settings.cloud_map import CloudMap
from settings.database import Database
from settings.frontend import Frontend
from settings.lambda_genai import LambdaGenai
from settings.monitoring import Monitoring
from settings.network import Network
from settings.notification import Notification
from settings.parameter_store import ParameterStore
from settings.security import Security
from settings.state import StateBackend
from settings.tags import TAG_PLACEHOLDERS, TagSet

class Environment(Frozen):
    """One deployment environment: every value a layer needs, and nothing computed."""

    name: Name                      # the PETCLINIC_ENV value and the file name
    # "as-deployed" (real states exist: keep the deployed platform) or "to-be" (realize the design):
    # the default of every design switch (envs/_switches.toml, settings/profile.py).
    profile: Literal["as-deployed", "to-be"]
    environment: Name               # the label in resource names, tags and state keys
    name_prefix: Name
    region: Region
    state: StateBackend
    default_tags: Tags
    module_tags: Tags
    tags: Tags
    # Per layer (key = the layer name) and per named recipe inside a layer ("02-security/task-execution").
    tag_sets: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-z][0-9a-z/-]*$")], TagSet]
    network: Network
    security: Security
    database: Database
    parameter_store: ParameterStore
    cloud_map: CloudMap
    lambda_genai: LambdaGenai
    api_gateway: ApiGateway
    aws_native: AwsNative
    application: Application
    monitoring: Monitoring
    frontend: Frontend
    notification: Notification

    @model_validator(mode="after")
    def _azs_in_region(self) -> "Environment":
        for i, az in enumerate(self.network.azs):
            if az[:-1] != self.region:
                raise SettingError(f"network.azs[{i}]", f"{az} is not in the region {self.region}")
        return self

    @model_validator(mode="after")
    def _backup_copy_elsewhere(self) -> "Environment":
        if self.database.backup_copy_region == self.region:
            raise SettingError("database.backup_copy_region",
                               f"{self.region} is the environment's own region; the disaster-recovery copy goes to another")
        return self

    @model_validator(mode="after")
    def _services_registered(self) -> "Environment":
        for key in sorted(self.application.services):
            if key not in self.cloud_map.services:
                raise SettingError(f"application.services.{key}",
                                   "has no Cloud Map service to register with (add it to cloud_map.services)")
            if len(f"{self.name_prefix}-{key}") > TARGET_GROUP_NAME_MAX:
                raise SettingError(f"application.services.{key}",
                                   f"{self.name_prefix}-{key} is longer than a target group name may be "
                                   f"({TARGET_GROUP_NAME_MAX} characters); choose a shorter service key")
        return self

    @model_validator(mode="after")
    def _tag_placeholders_known(self) -> "Environment":
        for name, tag_set in self.tag_sets.items():
            for key, value in tag_set.add.items():
                for placeholder in re.findall(r"\{([a-z_]+)\}", value):
                    if placeholder not in TAG_PLACEHOLDERS:
                        raise SettingError(f"tag_sets.{name}.add.{key}", f"unknown placeholder {{{placeholder}}} "
                                           f"(known: {', '.join('{' + p + '}' for p in TAG_PLACEHOLDERS)})")
        return self

    def tag_set(self, name: str, layer: str) -> dict[str, str]:
        """The tags of the recipe `name`, placeholders filled in for `layer`."""
        if name not in self.tag_sets:
            raise KeyError(f"no tag set {name!r} in the environment data (tag_sets); known: {sorted(self.tag_sets)}")
        recipe = self.tag_sets[name]
        base = {"tags": self.tags, "module_tags": self.module_tags, "none": {}}[recipe.base]
        values = {"environment": self.environment, "layer": layer, "region": self.region,
                  "name_prefix": self.name_prefix}
        def fill(value: str) -> str:
            return re.sub(r"\{([a-z_]+)\}", lambda m: values[m[1]], value)
        return {**base, **{key: fill(value) for key, value in recipe.add.items()}}

    def state_key(self, layer: str) -> str:
        return f"{self.environment}/{layer}/terraform.tfstate"
