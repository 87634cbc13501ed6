"""The part of the local test platform that holds the resource types of layers 07-12 (load
balancing, autoscaling, API Gateway, WAF, monitoring, storage, delivery, notification), each with
the state that manages it. See `live_platform.py`."""
from __future__ import annotations

import json

from tests.tools.live_platform import PREFIX, REGION, SECRET_VALUE, Platform, tag_list, tags


def build_later_layers(p: Platform, subnets: list[str], vpc: str, role_arn: str) -> None:
    """Resources of the types of layers 07-12 (load balancing, autoscaling, API Gateway, WAF,
    monitoring, storage, delivery, notification), each with the state that manages it."""
    elb = p.client("elbv2")
    alb_sg = p.client("ec2").create_security_group(GroupName=f"{PREFIX}-alb", Description="ALB", VpcId=vpc)["GroupId"]
    p.add("07-application", "module.alb.aws_security_group.alb",
          {"id": alb_sg, "name": f"{PREFIX}-alb", "description": "ALB", "vpc_id": vpc})
    lb = elb.create_load_balancer(Name=f"{PREFIX}-alb", Subnets=subnets, SecurityGroups=[alb_sg], Scheme="internet-facing",
                                  Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    p.add("07-application", "module.alb.aws_lb.this",
          {"id": lb, "arn": lb, "name": f"{PREFIX}-alb", "internal": False, "load_balancer_type": "application",
           "security_groups": [alb_sg], "subnets": sorted(subnets)})
    group = elb.create_target_group(Name=f"{PREFIX}-customers", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                    HealthCheckPath="/actuator/health", HealthCheckIntervalSeconds=30,
                                    HealthyThresholdCount=3, UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"})["TargetGroups"][0]["TargetGroupArn"]
    p.add("07-application", 'module.alb.aws_lb_target_group.services["customers"]',
          {"id": group, "arn": group, "name": f"{PREFIX}-customers", "port": 8080, "protocol": "HTTP", "vpc_id": vpc,
           "target_type": "ip", "health_check": [{"path": "/actuator/health", "interval": 30, "healthy_threshold": 3,
                                                  "unhealthy_threshold": 2, "matcher": "200"}]})
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": group}])["Listeners"][0]["ListenerArn"]
    p.add("07-application", "module.alb.aws_lb_listener.http",
          {"id": listener, "arn": listener, "port": 80, "protocol": "HTTP", "load_balancer_arn": lb})
    rule = elb.create_rule(ListenerArn=listener, Priority=100,
                           Conditions=[{"Field": "path-pattern", "Values": ["/api/customer/*"]}],
                           Actions=[{"Type": "forward", "TargetGroupArn": group}])["Rules"][0]["RuleArn"]
    p.add("07-application", 'module.alb.aws_lb_listener_rule.services["customers"]',
          {"id": rule, "arn": rule, "listener_arn": listener, "priority": 100})
    scaling = p.client("application-autoscaling")
    resource_id = f"service/{PREFIX}-cluster/{PREFIX}-customers"
    scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource_id,
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=4)
    p.add("07-application", 'module.autoscaling["customers"].aws_appautoscaling_target.this',
          {"id": resource_id, "resource_id": resource_id, "scalable_dimension": "ecs:service:DesiredCount",
           "service_namespace": "ecs", "min_capacity": 1, "max_capacity": 4})
    scaling.put_scaling_policy(PolicyName=f"{PREFIX}-customers-cpu", ServiceNamespace="ecs", ResourceId=resource_id,
                               ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0, "PredefinedMetricSpecification": {
                                   "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    p.add("07-application", 'module.autoscaling["customers"].aws_appautoscaling_policy.cpu',
          {"id": f"{PREFIX}-customers-cpu", "name": f"{PREFIX}-customers-cpu", "resource_id": resource_id,
           "scalable_dimension": "ecs:service:DesiredCount", "service_namespace": "ecs",
           "policy_type": "TargetTrackingScaling",
           "target_tracking_scaling_policy_configuration": [{"target_value": 70}]})
    # 08-api-gateway
    api = p.client("apigateway")
    rest = api.create_rest_api(name=f"{PREFIX}-api", description="PetClinic API")["id"]
    root = api.get_resources(restApiId=rest)["items"][0]["id"]
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_rest_api.this",
          {"id": rest, "name": f"{PREFIX}-api", "description": "PetClinic API"})
    resource = api.create_resource(restApiId=rest, parentId=root, pathPart="api")["id"]
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_resource.api",
          {"id": resource, "rest_api_id": rest, "parent_id": root, "path_part": "api", "path": "/api"})
    api.put_method(restApiId=rest, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_method.api_get",
          {"id": f"agm-{rest}-{resource}-GET", "rest_api_id": rest, "resource_id": resource, "http_method": "GET",
           "authorization": "NONE", "api_key_required": False})
    api.put_integration(restApiId=rest, resourceId=resource, httpMethod="GET", type="HTTP_PROXY",
                        integrationHttpMethod="GET", uri="http://alb.example/api")
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_integration.api_get",
          {"id": f"agi-{rest}-{resource}-GET", "rest_api_id": rest, "resource_id": resource, "http_method": "GET",
           "type": "HTTP_PROXY", "uri": "http://alb.example/api", "integration_http_method": "GET"})
    api.put_method_response(restApiId=rest, resourceId=resource, httpMethod="GET", statusCode="200")
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_method_response.api_get_200",
          {"id": f"agmr-{rest}-{resource}-GET-200", "rest_api_id": rest, "resource_id": resource,
           "http_method": "GET", "status_code": "200"})
    deployment = api.create_deployment(restApiId=rest, description="first")["id"]
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_deployment.this",
          {"id": deployment, "rest_api_id": rest, "description": "first"})
    api.create_stage(restApiId=rest, stageName="v1", deploymentId=deployment, description="version 1")
    p.add("08-api-gateway", "module.api_gateway.aws_api_gateway_stage.this",
          {"id": f"ags-{rest}-v1", "rest_api_id": rest, "stage_name": "v1", "deployment_id": deployment,
           "description": "version 1"})
    waf = p.client("wafv2")
    acl = waf.create_web_acl(Name=f"{PREFIX}-api-waf", Scope="REGIONAL", DefaultAction={"Allow": {}}, Description="API WAF",
                             VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                               "MetricName": "api"}, Rules=[])["Summary"]
    p.add("08-api-gateway", "module.waf.aws_wafv2_web_acl.this",
          {"id": acl["Id"], "arn": acl["ARN"], "name": f"{PREFIX}-api-waf", "scope": "REGIONAL",
           "description": "API WAF", "rule": []})
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=lb)
    p.add("08-api-gateway", "module.waf.aws_wafv2_web_acl_association.alb",
          {"id": f"{acl['ARN']},{lb}", "resource_arn": lb, "web_acl_arn": acl["ARN"]})
    # 09-aws-native
    check = p.client("route53").create_health_check(CallerReference="petclinic", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "api.example.com", "Port": 443, "ResourcePath": "/health",
        "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]["Id"]
    p.add("09-aws-native", "aws_route53_health_check.api",
          {"id": check, "type": "HTTPS", "fqdn": "api.example.com", "port": 443, "resource_path": "/health",
           "request_interval": 30, "failure_threshold": 3})
    # 10-monitoring
    body = json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2,
                                    "properties": {"markdown": "PetClinic"}}]})
    p.client("cloudwatch").put_dashboard(DashboardName=f"{PREFIX}-overview", DashboardBody=body)
    p.add("10-monitoring", "aws_cloudwatch_dashboard.overview",
          {"id": f"{PREFIX}-overview", "dashboard_name": f"{PREFIX}-overview", "dashboard_body": body})
    logs = p.client("logs")
    logs.create_log_group(logGroupName=f"/{PREFIX}/application")
    logs.put_metric_filter(logGroupName=f"/{PREFIX}/application", filterName=f"{PREFIX}-errors", filterPattern="ERROR",
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "PetClinic", "metricValue": "1"}])
    p.add("10-monitoring", "aws_cloudwatch_log_group.application",
          {"id": f"/{PREFIX}/application", "name": f"/{PREFIX}/application", "retention_in_days": 0})
    p.add("10-monitoring", "aws_cloudwatch_log_metric_filter.errors",
          {"id": f"{PREFIX}-errors", "name": f"{PREFIX}-errors", "log_group_name": f"/{PREFIX}/application",
           "pattern": "ERROR"})
    kms = p.client("kms")
    key = kms.create_key(Description="CloudTrail logs")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    p.add("10-monitoring", "aws_kms_key.cloudtrail",
          {"id": key["KeyId"], "key_id": key["KeyId"], "arn": key["Arn"], "description": "CloudTrail logs",
           "key_usage": "ENCRYPT_DECRYPT", "customer_master_key_spec": "SYMMETRIC_DEFAULT", "is_enabled": True,
           "enable_key_rotation": True})
    kms.create_alias(AliasName=f"alias/{PREFIX}-cloudtrail", TargetKeyId=key["KeyId"])
    p.add("10-monitoring", "aws_kms_alias.cloudtrail",
          {"id": f"alias/{PREFIX}-cloudtrail", "name": f"alias/{PREFIX}-cloudtrail", "target_key_id": key["KeyId"]})
    s3 = p.client("s3")
    trail_bucket = f"{PREFIX}-cloudtrail-logs"
    s3.create_bucket(Bucket=trail_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    bucket_tags = tags(trail_bucket)
    s3.put_bucket_tagging(Bucket=trail_bucket, Tagging={"TagSet": tag_list(bucket_tags)})
    p.add("10-monitoring", "aws_s3_bucket.cloudtrail", {"id": trail_bucket, "bucket": trail_bucket, "tags": bucket_tags,
                                                        "tags_all": bucket_tags})
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{trail_bucket}/*"}]})
    s3.put_bucket_policy(Bucket=trail_bucket, Policy=policy)
    p.add("10-monitoring", "aws_s3_bucket_policy.cloudtrail", {"id": trail_bucket, "bucket": trail_bucket, "policy": policy})
    s3.put_public_access_block(Bucket=trail_bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True})
    p.add("10-monitoring", "aws_s3_bucket_public_access_block.cloudtrail",
          {"id": trail_bucket, "bucket": trail_bucket, "block_public_acls": True, "block_public_policy": True,
           "ignore_public_acls": True, "restrict_public_buckets": True})
    s3.put_bucket_encryption(Bucket=trail_bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    p.add("10-monitoring", "aws_s3_bucket_server_side_encryption_configuration.cloudtrail",
          {"id": trail_bucket, "bucket": trail_bucket, "rule": [{"apply_server_side_encryption_by_default": [
              {"sse_algorithm": "aws:kms", "kms_master_key_id": key["Arn"]}], "bucket_key_enabled": False}]})
    s3.put_bucket_versioning(Bucket=trail_bucket, VersioningConfiguration={"Status": "Enabled"})
    p.add("10-monitoring", "aws_s3_bucket_versioning.cloudtrail",
          {"id": trail_bucket, "bucket": trail_bucket, "versioning_configuration": [{"status": "Enabled"}]})
    trail = p.client("cloudtrail").create_trail(Name=f"{PREFIX}-trail", S3BucketName=trail_bucket,
                                                IsMultiRegionTrail=True, EnableLogFileValidation=True)["TrailARN"]
    p.add("10-monitoring", "aws_cloudtrail.this",
          {"id": trail, "arn": trail, "name": f"{PREFIX}-trail", "s3_bucket_name": trail_bucket,
           "is_multi_region_trail": True, "enable_log_file_validation": True, "enable_logging": False})
    # 11-frontend
    site = f"{PREFIX}-frontend"
    s3.create_bucket(Bucket=site, CreateBucketConfiguration={"LocationConstraint": REGION})
    p.add("11-frontend", "aws_s3_bucket.frontend", {"id": site, "bucket": site, "tags": {}, "tags_all": {}})
    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                             "ErrorDocument": {"Key": "error.html"}})
    p.add("11-frontend", "aws_s3_bucket_website_configuration.frontend",
          {"id": site, "bucket": site, "index_document": [{"suffix": "index.html"}], "error_document": [{"key": "error.html"}]})
    s3.put_bucket_cors(Bucket=site, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]})
    p.add("11-frontend", "aws_s3_bucket_cors_configuration.frontend",
          {"id": site, "bucket": site, "cors_rule": [{"allowed_methods": ["GET", "HEAD"], "allowed_origins": ["*"],
                                                      "allowed_headers": ["*"], "max_age_seconds": 3000}]})
    access_logs = f"{PREFIX}-access-logs"
    s3.create_bucket(Bucket=access_logs, CreateBucketConfiguration={"LocationConstraint": REGION}, ACL="log-delivery-write")
    p.add("11-frontend", "aws_s3_bucket.access_logs", {"id": access_logs, "bucket": access_logs})
    s3.put_bucket_logging(Bucket=site, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": access_logs,
                                                                                "TargetPrefix": "frontend/"}})
    p.add("11-frontend", "aws_s3_bucket_logging.frontend",
          {"id": site, "bucket": site, "target_bucket": access_logs, "target_prefix": "frontend/"})
    cloudfront = p.client("cloudfront")
    distribution = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "petclinic-frontend", "Comment": "PetClinic frontend", "Enabled": True,
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{site}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}})
    distribution_id = distribution["Distribution"]["Id"]
    p.add("11-frontend", "aws_cloudfront_distribution.frontend",
          {"id": distribution_id, "enabled": True, "comment": "PetClinic frontend", "default_root_object": "index.html"})
    # 12-notification
    sns = p.client("sns")
    topic = sns.create_topic(Name=f"{PREFIX}-alerts")["TopicArn"]
    p.add("12-notification", "aws_sns_topic.alerts", {"id": topic, "arn": topic, "name": f"{PREFIX}-alerts"})
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f"arn:aws:lambda:{REGION}:123456789012:function:{PREFIX}-slack",
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    p.add("12-notification", "aws_sns_topic_subscription.slack",
          {"id": subscription, "arn": subscription, "protocol": "lambda", "topic_arn": topic,
           "endpoint": f"arn:aws:lambda:{REGION}:123456789012:function:{PREFIX}-slack"})
    p.client("lambda").add_permission(FunctionName=f"{PREFIX}-genai", StatementId="AllowSNS", Action="lambda:InvokeFunction",
                                      Principal="sns.amazonaws.com", SourceArn=topic)
    p.add("12-notification", "aws_lambda_permission.sns",
          {"id": "AllowSNS", "statement_id": "AllowSNS", "function_name": f"{PREFIX}-genai",
           "action": "lambda:InvokeFunction", "principal": "sns.amazonaws.com", "source_arn": topic})
    secret = p.client("secretsmanager").create_secret(Name=f"{PREFIX}-slack-webhook", SecretString=SECRET_VALUE,
                                                      Description="Slack webhook")["ARN"]
    p.add("12-notification", "aws_secretsmanager_secret.slack_webhook",
          {"id": secret, "arn": secret, "name": f"{PREFIX}-slack-webhook", "description": "Slack webhook"})
