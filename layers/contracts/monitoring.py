"""The contract of 10-monitoring: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("10-monitoring", "monitoring", (
    Output("dashboard_url", Shape.STRING, "CloudWatch dashboard URL"),
    Output("dashboard_name", Shape.STRING, "CloudWatch dashboard name"),
    Output("cloudtrail_arn", Shape.STRING, "CloudTrail trail ARN"),
    Output("cloudtrail_s3_bucket", Shape.STRING, "S3 bucket of the CloudTrail logs"),
    Output("cloudtrail_log_group", Shape.STRING, "CloudWatch log group of the CloudTrail logs"),
    Output("monitoring_config", Shape.OBJECT, "Monitoring settings (alert_email_configured)"),
))
