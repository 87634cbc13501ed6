"""The contract of 11-frontend: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("11-frontend", "frontend", (
    Output("s3_bucket_name", Shape.STRING, "Frontend S3 bucket name"),
    Output("cloudfront_distribution_id", Shape.STRING, "CloudFront distribution id"),
    Output("frontend_url", Shape.STRING, "Frontend URL (CloudFront)"),
    Output("api_gateway_url", Shape.STRING, "API Gateway invoke URL the distribution forwards /api/* to"),
    Output("upload_command", Shape.STRING, "AWS CLI command that uploads the static files"),
    Output("cache_invalidation_command", Shape.STRING, "AWS CLI command that invalidates the CloudFront cache"),
    Output("deployment_complete", Shape.STRING, "What was deployed and how to publish the site"),
))
