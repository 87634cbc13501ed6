"""The rest of the types the live readers know, for the no-drift baseline: NAT, EIP, egress-only
gateway, VPC endpoints, network ACL, flow log, legacy security-group rules, IAM users, groups,
instance profiles and inline policies, ECR and SNS policies, API Gateway usage plans, method
settings and integration responses. See `live_platform.py`."""
from __future__ import annotations

import json

from tests.tools.live_platform import PREFIX, REGION, Platform


def build_more(p: Platform, subnets: list[str], vpc: str, role_arn: str) -> None:
    ec2 = p.client("ec2")
    allocation = ec2.allocate_address(Domain="vpc")
    p.add("01-network", 'module.vpc.aws_eip.nat["0"]',
          {"id": allocation["AllocationId"], "public_ip": allocation["PublicIp"], "domain": "vpc"})
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation["AllocationId"],
                                 ConnectivityType="public")["NatGateway"]["NatGatewayId"]
    p.add("01-network", 'module.vpc.aws_nat_gateway.this["0"]',
          {"id": nat, "subnet_id": subnets[0], "allocation_id": allocation["AllocationId"], "connectivity_type": "public"})
    egress = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    p.add("01-network", "module.vpc.aws_egress_only_internet_gateway.this[0]", {"id": egress, "vpc_id": vpc})
    private = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    p.add("01-network", 'module.vpc.aws_route_table.private_app["0"]', {"id": private, "vpc_id": vpc})
    gateway = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway",
                                      RouteTableIds=[private])["VpcEndpoint"]["VpcEndpointId"]
    p.add("01-network", "module.vpc_endpoints.aws_vpc_endpoint.s3",
          {"id": gateway, "vpc_id": vpc, "service_name": f"com.amazonaws.{REGION}.s3", "vpc_endpoint_type": "Gateway",
           "route_table_ids": [private]})
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    p.add("02-security", "aws_network_acl.private", {"id": acl, "vpc_id": vpc, "subnet_ids": []})
    p.client("logs").create_log_group(logGroupName=f"/aws/vpc/{PREFIX}-flow-logs")
    flow = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="cloud-watch-logs",
                                LogGroupName=f"/aws/vpc/{PREFIX}-flow-logs", DeliverLogsPermissionArn=role_arn)["FlowLogIds"][0]
    p.add("02-security", "aws_cloudwatch_log_group.flow_logs",
          {"id": f"/aws/vpc/{PREFIX}-flow-logs", "name": f"/aws/vpc/{PREFIX}-flow-logs"})
    p.add("02-security", "aws_flow_log.vpc", {"id": flow, "traffic_type": "ALL", "log_destination_type": "cloud-watch-logs"})
    lambda_sg = ec2.create_security_group(GroupName=f"{PREFIX}-lambda", Description="Lambda", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_egress(GroupId=lambda_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    p.add("06-lambda-genai", "aws_security_group.lambda_sg",
          {"id": lambda_sg, "name": f"{PREFIX}-lambda", "description": "Lambda", "vpc_id": vpc})
    p.add("06-lambda-genai", "aws_security_group_rule.lambda_mysql_outbound",
          {"id": "sgrule-1234567890", "type": "egress", "security_group_id": lambda_sg, "protocol": "tcp",
           "from_port": 3306, "to_port": 3306, "cidr_blocks": ["10.0.0.0/16"]})
    iam = p.client("iam")
    iam.put_role_policy(RoleName=f"{PREFIX}-ecs-task-execution", PolicyName="bedrock",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}))
    p.add("06-lambda-genai", "aws_iam_role_policy.bedrock_invoke_policy",
          {"id": f"{PREFIX}-ecs-task-execution:bedrock", "role": f"{PREFIX}-ecs-task-execution", "name": "bedrock",
           "policy": json.dumps({"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]})})
    iam.create_user(UserName=f"{PREFIX}-developer", Path="/")
    p.add("02-security", "module.team.aws_iam_user.members[\"developer\"]",
          {"id": f"{PREFIX}-developer", "name": f"{PREFIX}-developer", "path": "/"})
    iam.create_group(GroupName=f"{PREFIX}-developers", Path="/")
    p.add("02-security", "module.team.aws_iam_group.developers", {"id": f"{PREFIX}-developers", "name": f"{PREFIX}-developers",
                                                                 "path": "/"})
    iam.add_user_to_group(GroupName=f"{PREFIX}-developers", UserName=f"{PREFIX}-developer")
    p.add("02-security", "module.team.aws_iam_group_membership.developers",
          {"id": "developers", "name": "developers", "group": f"{PREFIX}-developers", "users": [f"{PREFIX}-developer"]})
    policy = iam.list_policies(Scope="Local")["Policies"][0]["Arn"]
    iam.attach_group_policy(GroupName=f"{PREFIX}-developers", PolicyArn=policy)
    p.add("02-security", "module.team.aws_iam_group_policy_attachment.developers",
          {"id": "attachment", "group": f"{PREFIX}-developers", "policy_arn": policy})
    iam.create_instance_profile(InstanceProfileName=f"{PREFIX}-bastion", Path="/")
    iam.add_role_to_instance_profile(InstanceProfileName=f"{PREFIX}-bastion", RoleName=f"{PREFIX}-ecs-task-execution")
    p.add("07-application", "aws_iam_instance_profile.bastion",
          {"id": f"{PREFIX}-bastion", "name": f"{PREFIX}-bastion", "path": "/", "role": f"{PREFIX}-ecs-task-execution"})
    ecr_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "ecr:BatchGetImage"}]})
    p.client("ecr").set_repository_policy(repositoryName=f"{PREFIX}-customers", policyText=ecr_policy)
    p.add("07-application", 'module.ecr_services["customers"].aws_ecr_repository_policy.this',
          {"id": f"{PREFIX}-customers", "repository": f"{PREFIX}-customers", "policy": ecr_policy})
    lifecycle = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                                        "countNumber": 10}, "action": {"type": "expire"}}]})
    p.client("ecr").put_lifecycle_policy(repositoryName=f"{PREFIX}-customers", lifecyclePolicyText=lifecycle)
    p.add("07-application", 'module.ecr_services["customers"].aws_ecr_lifecycle_policy.this',
          {"id": f"{PREFIX}-customers", "repository": f"{PREFIX}-customers", "policy": lifecycle})
    sns = p.client("sns")
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f"{PREFIX}-alerts"))
    topic_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "cloudwatch", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": "sns:Publish", "Resource": topic}]})
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=topic_policy)
    p.add("12-notification", "aws_sns_topic_policy.alerts", {"id": topic, "arn": topic, "policy": topic_policy})
    api = p.client("apigateway")
    rest = api.get_rest_apis()["items"][0]["id"]
    resource = next(r for r in api.get_resources(restApiId=rest)["items"] if r.get("pathPart") == "api")["id"]
    api.put_integration_response(restApiId=rest, resourceId=resource, httpMethod="GET", statusCode="200",
                                 selectionPattern="")
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_integration_response.api_get_200",
          {"id": f"agir-{rest}-{resource}-GET-200", "rest_api_id": rest, "resource_id": resource, "http_method": "GET",
           "status_code": "200", "selection_pattern": ""})
    plan = api.create_usage_plan(name=f"{PREFIX}-plan", description="default",
                                 apiStages=[{"apiId": rest, "stage": "v1"}])["id"]
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_usage_plan.this",
          {"id": plan, "name": f"{PREFIX}-plan", "description": "default"})
    ecs_sg = p.ids["ecs_sg"]
    egress_rule = ec2.authorize_security_group_egress(GroupId=ecs_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}]}]
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    p.add("02-security", "module.security_groups.aws_vpc_security_group_egress_rule.ecs_https_out",
          {"id": egress_rule, "security_group_id": ecs_sg, "ip_protocol": "tcp", "from_port": 443, "to_port": 443,
           "cidr_ipv4": "0.0.0.0/0", "description": "https"})
    api.update_stage(restApiId=rest, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"}])
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_method_settings.all",
          {"id": f"{rest}-v1-*/*", "rest_api_id": rest, "stage_name": "v1", "method_path": "*/*",
           "settings": [{"metrics_enabled": True, "logging_level": "INFO", "throttling_burst_limit": 100,
                         "throttling_rate_limit": 50}]})
