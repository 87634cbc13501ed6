"""The contract of 09-aws-native: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("09-aws-native", "aws_native", (
    Output("genai_resource_id", Shape.STRING, "GenAI API resource id"),
    Output("genai_method_id", Shape.STRING, "GenAI API method id"),
    Output("genai_integration_id", Shape.STRING, "GenAI API integration id"),
    Output("api_gateway_4xx_alarm_arn", Shape.STRING, "API Gateway 4xx error alarm ARN"),
    Output("lambda_genai_error_alarm_arn", Shape.STRING, "Lambda GenAI error alarm ARN"),
    Output("integration_dashboard_arn", Shape.STRING, "Integration dashboard ARN"),
    Output("waf_web_acl_arn", Shape.STRING, "WAF web ACL ARN (null: this layer's WAF is off)"),
    Output("waf_web_acl_association_id", Shape.STRING, "WAF web ACL association id (null: WAF off)"),
    Output("health_check_id", Shape.STRING, "Route 53 health check id (null: health checks off)"),
    Output("lambda_permission_statement_id", Shape.STRING, "Statement id of the Lambda invoke permission"),
    Output("integration_status", Shape.OBJECT, "Which integrations this layer has on"),
))
