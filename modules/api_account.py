"""API Gateway's account settings: the CloudWatch role through which API Gateway writes the
execution and access logs of every stage in the account and region (without it, a stage's
logging_level other than OFF is refused). One per account and region: exactly one environment of a
region makes it (`api_gateway.account_cloudwatch_role`)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.api_gateway_account import ApiGatewayAccount
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from modules.naming import Naming
from modules.origin import created

NEW = "API Gateway's CloudWatch role (api_gateway.account_cloudwatch_role); the original set none"
PUSH_TO_LOGS = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"


@dataclass(frozen=True)
class ApiAccountProps:
    naming: Naming
    region: str


class ApiAccount(Construct):
    def __init__(self, scope: Construct, id: str, props: ApiAccountProps):
        super().__init__(scope, id)
        naming = props.naming
        # The region in the name: IAM is global, the account setting is per region.
        self.role = created(IamRole(
            self, "cloudwatch_role", name=naming.name("apigateway-cloudwatch", props.region),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            tags=naming.tags_for("api-gateway-cloudwatch-role")), NEW)
        attachment = created(IamRolePolicyAttachment(
            self, "cloudwatch_role_policy", role=self.role.name, policy_arn=PUSH_TO_LOGS), NEW)
        self.account = created(ApiGatewayAccount(
            self, "settings", cloudwatch_role_arn=self.role.arn, depends_on=[attachment]), NEW)
