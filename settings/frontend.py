"""11-frontend's settings: the static site bucket and its CloudFront distribution."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr, StringConstraints

from settings.base import Frozen, LogRetention

class Frontend(Frozen):
    """11-frontend: the static site bucket and its CloudFront distribution."""

    versioning: StrictBool
    access_logging: StrictBool
    # The access logs go to a bucket of their own (as deployed: into the site bucket, which S3 refuses).
    access_log_bucket: StrictBool
    # How CloudFront reads the bucket: the legacy origin access identity (as deployed) or an origin
    # access control.
    origin_access: Literal["identity", "control"]
    log_retention_days: LogRetention
    cors: StrictBool
    cors_allowed_origins: tuple[StrictStr, ...] = Field(min_length=1)
    price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"]
    spa_routing: StrictBool
    viewer_protocol_policy: Literal["allow-all", "redirect-to-https", "https-only"]
    minimum_protocol_version: Literal["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021"]
    monitoring: StrictBool
    error_4xx_threshold_percent: Annotated[float, Field(ge=0, le=100, strict=False)]
    error_5xx_threshold_percent: Annotated[float, Field(ge=0, le=100, strict=False)]
    error_4xx_description: Annotated[StrictStr, StringConstraints(max_length=1024)]
    error_5xx_description: Annotated[StrictStr, StringConstraints(max_length=1024)]
