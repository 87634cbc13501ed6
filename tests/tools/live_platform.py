"""A small PetClinic platform built in the local AWS with boto3, and the Terraform states that
manage it, one per synthesized layer, in a versioned S3 bucket at each stack's backend key.

The states are written from what was asked of AWS (the create calls' arguments and the IDs they
returned), not from what the drift readers read back."""
from __future__ import annotations

import functools
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.tools.state_fixtures import ORIGINAL, state_of
from tools.drift.config import load_configuration, stack_layers

REGION = "us-west-2"
PREFIX = "petclinic-dev"
SECRET_VALUE = "s3cr3t-never-read-7f3a"      # a SecureString value the checks must never see
SESSION = boto3.session.Session()
BASE_TAGS = {"Project": "petclinic", "Environment": "dev", "ManagedBy": "terraform"}


@functools.lru_cache(maxsize=None)
def _client(service: str, endpoint: str):
    """One client per service and endpoint for the whole session (making one costs ~12 ms, and each
    test builds the platform anew)."""
    return SESSION.client(service, region_name=REGION, endpoint_url=endpoint)


@dataclass
class Platform:
    endpoint: str
    stacks: Path
    states: dict[str, list[dict[str, Any]]] = field(default_factory=dict)   # layer -> instances
    ids: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str):
        if service not in self.clients:
            self.clients[service] = _client(service, self.endpoint)
        return self.clients[service]

    def add(self, layer: str, address: str, values: dict[str, Any]) -> None:
        from tools.drift.addresses import parse

        self.states.setdefault(layer, []).append({"address": address, "type": parse(address).type, "values": values})

    def backend(self, layer: str):
        return load_configuration(self.stacks / layer).backend

    def put_states(self) -> None:
        s3 = self.client("s3")
        for layer in stack_layers(self.stacks):
            backend = self.backend(layer)
            state = state_of(self.states.get(layer, []), lineage=f"live-{layer}")
            if backend is None:  # a local backend (00-bootstrap): its state file, where the stack says
                local = load_configuration(self.stacks / layer).local_state
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_text(json.dumps(state))
                continue
            try:
                s3.create_bucket(Bucket=backend.bucket, CreateBucketConfiguration={"LocationConstraint": backend.region})
                s3.put_bucket_versioning(Bucket=backend.bucket, VersioningConfiguration={"Status": "Enabled"})
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            s3.put_object(Bucket=backend.bucket, Key=backend.key, Body=json.dumps(state).encode())


def tags(name: str, **extra: str) -> dict[str, str]:
    return {**BASE_TAGS, "Name": name, **extra}


def tag_list(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in values.items()]


def prepare_stacks(synthesized_stacks: Path, out: Path) -> Path:
    """The synthesized stacks, plus a minimal stack (backend and provider only) for every original
    layer not synthesized yet: live drift needs only each stack's backend and region."""
    shutil.copytree(synthesized_stacks, out)
    network = json.loads((out / "01-network" / "cdk.tf.json").read_text())
    for layer in sorted(p.stem for p in (ORIGINAL / "dev").glob("*.json")):
        if (out / layer / "cdk.tf.json").exists():
            continue
        backend = dict(network["terraform"]["backend"]["s3"],
                       key=network["terraform"]["backend"]["s3"]["key"].replace("01-network", layer))
        (out / layer).mkdir()
        (out / layer / "cdk.tf.json").write_text(json.dumps(
            {"terraform": {"backend": {"s3": backend}}, "provider": network["provider"], "resource": {}}))
    return out


def build(endpoint: str, stacks: Path) -> Platform:
    p = Platform(endpoint, stacks)
    ec2 = p.client("ec2")
    # 01-network
    vpc_tags = tags(f"{PREFIX}-vpc")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(vpc_tags)}])["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    p.ids["vpc"] = vpc
    p.add("01-network", "module.vpc.aws_vpc.this", {"id": vpc, "cidr_block": "10.0.0.0/16", "instance_tenancy": "default",
                                                    "enable_dns_support": True, "enable_dns_hostnames": True,
                                                    "tags": vpc_tags, "tags_all": vpc_tags})
    subnets = []
    for index, (cidr, zone) in enumerate((("10.0.1.0/24", "us-west-2a"), ("10.0.2.0/24", "us-west-2b"))):
        subnet_tags = tags(f"{PREFIX}-public-{index}")
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=[
            {"ResourceType": "subnet", "Tags": tag_list(subnet_tags)}])["Subnet"]["SubnetId"]
        subnets.append(subnet)
        p.add("01-network", f'module.vpc.aws_subnet.public["{index}"]',
              {"id": subnet, "cidr_block": cidr, "availability_zone": zone, "vpc_id": vpc,
               "map_public_ip_on_launch": False, "tags": subnet_tags, "tags_all": subnet_tags})
    p.ids["subnets"] = ",".join(subnets)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    p.add("01-network", "module.vpc.aws_internet_gateway.this", {"id": igw, "vpc_id": vpc, "tags_all": {}})
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    association = ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[0])["AssociationId"]
    p.add("01-network", "module.vpc.aws_route_table.public", {"id": table, "vpc_id": vpc, "tags_all": {}})
    p.add("01-network", "module.vpc.aws_route.public_internet",
          {"id": f"r-{table}1080289494", "route_table_id": table, "destination_cidr_block": "0.0.0.0/0", "gateway_id": igw,
           "nat_gateway_id": ""})
    p.add("01-network", 'module.vpc.aws_route_table_association.public["0"]',
          {"id": association, "route_table_id": table, "subnet_id": subnets[0]})
    endpoint_sg = ec2.create_security_group(GroupName=f"{PREFIX}-vpce", Description="VPC endpoints", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    p.add("01-network", "module.vpc_endpoints.aws_security_group.vpce",
          {"id": endpoint_sg, "name": f"{PREFIX}-vpce", "description": "VPC endpoints", "vpc_id": vpc,
           "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"],
                        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
                        "description": ""}],
           "egress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                       "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": False,
                       "description": ""}]})
    # 02-security
    ecs_sg = ec2.create_security_group(GroupName=f"{PREFIX}-ecs", Description="ECS tasks", VpcId=vpc)["GroupId"]
    p.ids["ecs_sg"] = ecs_sg
    p.add("02-security", "module.security_groups.aws_security_group.ecs",
          {"id": ecs_sg, "name": f"{PREFIX}-ecs", "description": "ECS tasks", "vpc_id": vpc})
    rule = ec2.authorize_security_group_ingress(GroupId=ecs_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
         "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "app port"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    p.ids["ecs_rule"] = rule
    p.add("02-security", "module.security_groups.aws_vpc_security_group_ingress_rule.ecs_in",
          {"id": rule, "security_group_id": ecs_sg, "ip_protocol": "tcp", "from_port": 8080, "to_port": 8080,
           "cidr_ipv4": "10.0.0.0/16", "description": "app port"})
    iam = p.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName=f"{PREFIX}-ecs-task-execution", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    p.ids["role_arn"] = role_arn
    p.add("02-security", "module.iam.aws_iam_role.ecs_task_execution",
          {"id": f"{PREFIX}-ecs-task-execution", "name": f"{PREFIX}-ecs-task-execution", "arn": role_arn, "path": "/",
           "assume_role_policy": json.dumps(trust), "max_session_duration": 3600})
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}]}
    policy_arn = iam.create_policy(PolicyName=f"{PREFIX}-parameter-read", Path="/", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"{PREFIX}-ecs-task-execution", PolicyArn=policy_arn)
    p.add("02-security", "module.iam.aws_iam_policy.parameter_read",
          {"id": policy_arn, "arn": policy_arn, "name": f"{PREFIX}-parameter-read", "path": "/", "policy": json.dumps(document)})
    p.add("02-security", "module.iam.aws_iam_role_policy_attachment.parameter_read",
          {"id": "attachment", "role": f"{PREFIX}-ecs-task-execution", "policy_arn": policy_arn})
    # 03-database
    rds = p.client("rds")
    rds.create_db_subnet_group(DBSubnetGroupName=f"{PREFIX}-aurora-subnet-group", DBSubnetGroupDescription="Managed by Terraform",
                               SubnetIds=subnets)
    p.add("03-database", "module.aurora_cluster.aws_db_subnet_group.this",
          {"id": f"{PREFIX}-aurora-subnet-group", "name": f"{PREFIX}-aurora-subnet-group",
           "description": "Managed by Terraform", "subnet_ids": sorted(subnets)})
    rds.create_db_cluster(DBClusterIdentifier=f"{PREFIX}-aurora-cluster", Engine="aurora-mysql",
                          EngineVersion="8.0.mysql_aurora.3.08.2", MasterUsername="petclinic", ManageMasterUserPassword=True,
                          DatabaseName="petclinic", DBSubnetGroupName=f"{PREFIX}-aurora-subnet-group", StorageEncrypted=True,
                          ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 1})
    p.add("03-database", "module.aurora_cluster.aws_rds_cluster.this",
          {"id": f"{PREFIX}-aurora-cluster", "cluster_identifier": f"{PREFIX}-aurora-cluster", "engine": "aurora-mysql",
           "engine_version": "8.0.mysql_aurora.3.08.2", "master_username": "petclinic", "database_name": "petclinic",
           "db_subnet_group_name": f"{PREFIX}-aurora-subnet-group", "storage_encrypted": True, "port": 3306,
           "serverlessv2_scaling_configuration": [{"min_capacity": 0.5, "max_capacity": 1}]})
    rds.create_db_instance(DBInstanceIdentifier=f"{PREFIX}-aurora-writer", DBInstanceClass="db.serverless",
                           Engine="aurora-mysql", DBClusterIdentifier=f"{PREFIX}-aurora-cluster")
    p.add("03-database", "module.aurora_cluster.aws_rds_cluster_instance.writer",
          {"id": f"{PREFIX}-aurora-writer", "identifier": f"{PREFIX}-aurora-writer", "instance_class": "db.serverless",
           "engine": "aurora-mysql", "cluster_identifier": f"{PREFIX}-aurora-cluster"})
    p.add("03-database", "module.aurora_cluster.null_resource.enable_data_api", {"id": "1234567890"})
    # 04-parameter-store
    ssm = p.client("ssm")
    ssm.put_parameter(Name="/petclinic/dev/db/url", Value="jdbc:mysql://db:3306/petclinic", Type="String")
    ssm.put_parameter(Name="/petclinic/dev/db/password", Value=SECRET_VALUE, Type="SecureString")
    p.add("04-parameter-store", 'module.parameter_store.aws_ssm_parameter.environment_config["/petclinic/dev/db/url"]',
          {"id": "/petclinic/dev/db/url", "name": "/petclinic/dev/db/url", "type": "String", "version": 1,
           "tier": "Standard", "value": "jdbc:mysql://db:3306/petclinic"})
    p.add("04-parameter-store", 'module.parameter_store.aws_ssm_parameter.environment_config["/petclinic/dev/db/password"]',
          {"id": "/petclinic/dev/db/password", "name": "/petclinic/dev/db/password", "type": "SecureString",
           "version": 1, "tier": "Standard"})
    # 05-cloud-map
    discovery = p.client("servicediscovery")
    discovery.create_private_dns_namespace(Name="petclinic.local", Vpc=vpc)
    namespace = discovery.list_namespaces()["Namespaces"][0]["Id"]
    p.add("05-cloud-map", "module.cloud_map.aws_service_discovery_private_dns_namespace.this",
          {"id": namespace, "name": "petclinic.local", "vpc": vpc})
    service = discovery.create_service(Name="customers", NamespaceId=namespace, DnsConfig={
        "RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]})["Service"]["Id"]
    p.add("05-cloud-map", 'module.cloud_map.aws_service_discovery_service.microservices["customers"]',
          {"id": service, "name": "customers",
           "dns_config": [{"namespace_id": namespace, "routing_policy": "MULTIVALUE",
                           "dns_records": [{"ttl": 60, "type": "A"}]}]})
    # 06-lambda-genai
    logs = p.client("logs")
    logs.create_log_group(logGroupName=f"/aws/lambda/{PREFIX}-genai")
    logs.put_retention_policy(logGroupName=f"/aws/lambda/{PREFIX}-genai", retentionInDays=14)
    p.add("06-lambda-genai", "aws_cloudwatch_log_group.lambda_logs",
          {"id": f"/aws/lambda/{PREFIX}-genai", "name": f"/aws/lambda/{PREFIX}-genai", "retention_in_days": 14})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    p.client("lambda").create_function(FunctionName=f"{PREFIX}-genai", Runtime="python3.11", Role=role_arn,
                                       Handler="handler.handler", Code={"ZipFile": archive.getvalue()},
                                       MemorySize=512, Timeout=30)
    p.add("06-lambda-genai", "aws_lambda_function.genai_function",
          {"id": f"{PREFIX}-genai", "function_name": f"{PREFIX}-genai", "runtime": "python3.11",
           "handler": "handler.handler", "memory_size": 512, "timeout": 30, "role": role_arn})
    # 07-application
    ecs = p.client("ecs")
    # Tagged as the provider's default tags would (moto's tagging API also fails on an untagged ECS cluster).
    cluster = ecs.create_cluster(clusterName=f"{PREFIX}-cluster", tags=[
        {"key": k, "value": v} for k, v in tags(f"{PREFIX}-cluster").items()])["cluster"]["clusterArn"]
    p.add("07-application", "module.ecs.aws_ecs_cluster.this", {"id": cluster, "arn": cluster, "name": f"{PREFIX}-cluster"})
    task = ecs.register_task_definition(family=f"{PREFIX}-customers", networkMode="awsvpc", cpu="256", memory="512",
                                        requiresCompatibilities=["FARGATE"],
                                        containerDefinitions=[{"name": "customers", "image": "customers:1", "memory": 512}])
    task_arn = task["taskDefinition"]["taskDefinitionArn"]
    p.add("07-application", 'module.ecs_services["customers"].aws_ecs_task_definition.this',
          {"id": f"{PREFIX}-customers", "arn": task_arn, "family": f"{PREFIX}-customers", "revision": 1,
           "cpu": "256", "memory": "512", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"]})
    service_arn = ecs.create_service(cluster=f"{PREFIX}-cluster", serviceName=f"{PREFIX}-customers",
                                     taskDefinition=task_arn, desiredCount=2, launchType="FARGATE")["service"]["serviceArn"]
    p.add("07-application", 'module.ecs_services["customers"].aws_ecs_service.this',
          {"id": service_arn, "name": f"{PREFIX}-customers", "cluster": cluster, "desired_count": 2,
           "launch_type": "FARGATE", "task_definition": task_arn})
    ecr = p.client("ecr")
    ecr.create_repository(repositoryName=f"{PREFIX}-customers", imageTagMutability="MUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    p.add("07-application", 'module.ecr_services["customers"].aws_ecr_repository.this',
          {"id": f"{PREFIX}-customers", "name": f"{PREFIX}-customers", "image_tag_mutability": "MUTABLE",
           "image_scanning_configuration": [{"scan_on_push": True}]})
    alarm = f"{PREFIX}-customers-cpu-high"
    p.client("cloudwatch").put_metric_alarm(AlarmName=alarm, ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=2,
                                            MetricName="CPUUtilization", Namespace="AWS/ECS", Period=300,
                                            Statistic="Average", Threshold=80.0)
    p.add("07-application", 'module.ecs_services["customers"].aws_cloudwatch_metric_alarm.cpu_high',
          {"id": alarm, "alarm_name": alarm, "comparison_operator": "GreaterThanThreshold", "evaluation_periods": 2,
           "metric_name": "CPUUtilization", "namespace": "AWS/ECS", "period": 300, "statistic": "Average",
           "threshold": 80})
    from tests.tools.live_platform_later import build_later_layers

    build_later_layers(p, subnets, vpc, role_arn)
    from tests.tools.live_platform_more import build_more

    build_more(p, subnets, vpc, role_arn)
    p.put_states()
    return p
