"""04-parameter-store's settings: the parameter hierarchy."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from settings.base import Frozen, ParameterRoot

class ParameterStore(Frozen):
    """04-parameter-store: the SSM parameters that replace Spring Cloud Config.

    `name_root` is what the deployed parameter names start with (the Oregon tree wrote
    `/petclinic-seoul` for every environment); `read_prefix` is the original `parameter_prefix`
    variable, which only scopes the read policy and is reported in the outputs."""

    name_root: ParameterRoot
    read_prefix: ParameterRoot
    common: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z0-9._-]+$")], StrictStr]
    server_ports: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")],
                       Annotated[StrictInt, Field(ge=1, le=65535)]]
    # The Oregon tree set `overwrite = true`; the Seoul tree left it out (kept as deployed).
    overwrite: StrictBool | None = None
    # A design switch (envs/_switches.toml): the JDBC URL requires TLS (sslMode=REQUIRED) instead of
    # the deployed useSSL=false; must reach the tasks before database.require_secure_transport.
    jdbc_tls: StrictBool
    # The db/ parameters as SecureString (design switch, §6.1); the ports and common settings stay String.
    secure_database_parameters: StrictBool
    # Each service with a database also gets `<service>/db/url` naming its own database (§7.3; design switch).
    per_service_databases: StrictBool
