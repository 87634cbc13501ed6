"""06-lambda-genai's settings: the GenAI function."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from settings.base import Frozen

class LambdaGenai(Frozen):
    """06-lambda-genai: the Bedrock assistant's model and the function's size, time and log settings."""

    bedrock_model_id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9-]+\.[a-zA-Z0-9.:_-]+$")]
    runtime: Annotated[StrictStr, StringConstraints(pattern=r"^python3\.\d+$")]
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=900)]
    memory_mb: Annotated[StrictInt, Field(ge=128, le=10240)]
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                                2557, 2922, 3288, 3653]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"]
    # Provisioned executions on the function's published alias `live` (design switch, A62); 0: none, and
    # the API invokes the unpublished function as deployed.
    provisioned_concurrency: Annotated[StrictInt, Field(ge=0, le=1000)]
    xray_tracing: StrictBool
    # An SQS queue receives asynchronous invocations that failed after the retries (design switch, A61).
    failure_queue: StrictBool        # X-Ray active tracing (design switch; as deployed: PassThrough)
    # The function's group as §3.4 lists it (design switch, A20): 3306 only to Aurora's group and 443
    # only to the VPC endpoints' group, and 01-network adds the bedrock-runtime and rds-data endpoints
    # (the function's two APIs); as deployed: 443 and 53 to 0.0.0.0/0 (Bedrock through the NAT
    # gateways) and 3306 to the whole VPC.
    private_egress: StrictBool
