"""09-aws-native's settings: the GenAI route and the integration monitoring."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictStr, StringConstraints

from settings.api_gateway import HttpMethod, IntegrationTimeout
from settings.base import Frozen

class AwsNative(Frozen):
    """09-aws-native: the POST route to the GenAI Lambda at the API's root, its invoke permission,
    and the alarms and dashboard that join API Gateway and Lambda.

    `genai_parent_resource_id` and `monitored_api_name` are literals the original wrote (a root
    resource id of a past deployment, and an API name that is not the deployed API's). The first is
    only the fallback until 08's state exports the API's root; the second is kept as deployed (see
    docs/design-gaps.md)."""

    genai_path_part: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9._-]+$")]
    genai_method: HttpMethod
    genai_parent_resource_id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9]{10}$")]
    require_api_key: StrictBool
    genai_integration_timeout_ms: IntegrationTimeout
    monitored_api_name: StrictStr
    api_4xx_threshold: Annotated[int | float, Field(ge=0)]
    lambda_error_threshold: Annotated[int | float, Field(ge=0)]
