"""Live readers for IAM, Aurora (RDS), Secrets Manager (metadata only), SSM parameters (metadata
only: the value is never requested, SecureString or not), Cloud Map and Lambda."""
from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from tools.drift.live.base import Aws, Missing, first, reader, tags_of


def _document(text: str | None) -> str | None:
    if text is None:
        return None
    decoded = urllib.parse.unquote(text) if text.startswith("%7B") else text
    return decoded


@reader("aws_iam_role")
def iam_role(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = aws.call("iam", "get_role", RoleName=a.get("name") or a["id"])["Role"]
    return {"name": r["RoleName"], "path": r.get("Path"), "assume_role_policy": _document(r.get("AssumeRolePolicyDocument"))
            if isinstance(r.get("AssumeRolePolicyDocument"), str) else json.dumps(r.get("AssumeRolePolicyDocument")),
            "max_session_duration": r.get("MaxSessionDuration"), "description": r.get("Description", ""),
            "tags_all": tags_of(r.get("Tags"))}


@reader("aws_iam_policy")
def iam_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    arn = a.get("arn") or a["id"]
    p = aws.call("iam", "get_policy", PolicyArn=arn)["Policy"]
    version = aws.call("iam", "get_policy_version", PolicyArn=arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]
    document = version.get("Document")
    return {"name": p["PolicyName"], "path": p.get("Path"), "description": p.get("Description", ""),
            "policy": document if isinstance(document, str) and not document.startswith("%7B") else
            (_document(document) if isinstance(document, str) else json.dumps(document)),
            "tags_all": tags_of(p.get("Tags"))}


@reader("aws_iam_role_policy")
def iam_role_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    role, name = (a.get("role"), a.get("name")) if a.get("role") else a["id"].split(":", 1)
    p = aws.call("iam", "get_role_policy", RoleName=role, PolicyName=name)
    document = p.get("PolicyDocument")
    return {"policy": _document(document) if isinstance(document, str) else json.dumps(document)}


@reader("aws_iam_role_policy_attachment")
def iam_role_policy_attachment(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    attached = aws.pages("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=a["role"])
    if a["policy_arn"] not in {p["PolicyArn"] for p in attached}:
        raise Missing(f"{a['policy_arn']} is not attached to role {a['role']}")
    return {}


@reader("aws_iam_group")
def iam_group(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = aws.call("iam", "get_group", GroupName=a.get("name") or a["id"])["Group"]
    return {"name": g["GroupName"], "path": g.get("Path")}


@reader("aws_iam_group_membership")
def iam_group_membership(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    users = aws.pages("iam", "get_group", "Users", GroupName=a["group"])
    return {"users": sorted(u["UserName"] for u in users)}


@reader("aws_iam_group_policy_attachment")
def iam_group_policy_attachment(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    attached = aws.pages("iam", "list_attached_group_policies", "AttachedPolicies", GroupName=a["group"])
    if a["policy_arn"] not in {p["PolicyArn"] for p in attached}:
        raise Missing(f"{a['policy_arn']} is not attached to group {a['group']}")
    return {}


@reader("aws_iam_user")
def iam_user(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    u = aws.call("iam", "get_user", UserName=a.get("name") or a["id"])["User"]
    return {"name": u["UserName"], "path": u.get("Path"), "tags_all": tags_of(u.get("Tags"))}


@reader("aws_iam_instance_profile")
def iam_instance_profile(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    p = aws.call("iam", "get_instance_profile", InstanceProfileName=a.get("name") or a["id"])["InstanceProfile"]
    roles = [r["RoleName"] for r in p.get("Roles") or []]
    return {"name": p["InstanceProfileName"], "path": p.get("Path"), "role": roles[0] if roles else ""}


@reader("aws_db_subnet_group")
def db_subnet_group(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(aws.call("rds", "describe_db_subnet_groups", DBSubnetGroupName=a.get("name") or a["id"])
              .get("DBSubnetGroups"), a["id"])
    return {"name": g["DBSubnetGroupName"], "description": g.get("DBSubnetGroupDescription"),
            "subnet_ids": [s["SubnetIdentifier"] for s in g.get("Subnets") or []]}


@reader("aws_rds_cluster")
def rds_cluster(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    c = first(aws.call("rds", "describe_db_clusters", DBClusterIdentifier=a.get("cluster_identifier") or a["id"])
              .get("DBClusters"), a["id"])
    live = {"cluster_identifier": c["DBClusterIdentifier"], "engine": c.get("Engine"),
            "engine_version": c.get("EngineVersion"), "database_name": c.get("DatabaseName"),
            "master_username": c.get("MasterUsername"), "port": c.get("Port"),
            "storage_encrypted": c.get("StorageEncrypted"), "backup_retention_period": c.get("BackupRetentionPeriod"),
            "preferred_backup_window": c.get("PreferredBackupWindow"),
            "preferred_maintenance_window": c.get("PreferredMaintenanceWindow"),
            "deletion_protection": c.get("DeletionProtection"), "enable_http_endpoint": c.get("HttpEndpointEnabled"),
            "db_subnet_group_name": c.get("DBSubnetGroup"),
            "vpc_security_group_ids": [g["VpcSecurityGroupId"] for g in c.get("VpcSecurityGroups") or []],
            "tags_all": tags_of(c.get("TagList"))}
    scaling = c.get("ServerlessV2ScalingConfiguration")
    if scaling:
        live["serverlessv2_scaling_configuration"] = [{"min_capacity": scaling.get("MinCapacity"),
                                                       "max_capacity": scaling.get("MaxCapacity")}]
    return live


@reader("aws_rds_cluster_instance")
def rds_cluster_instance(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    i = first(aws.call("rds", "describe_db_instances", DBInstanceIdentifier=a.get("identifier") or a["id"])
              .get("DBInstances"), a["id"])
    return {"identifier": i["DBInstanceIdentifier"], "instance_class": i.get("DBInstanceClass"),
            "engine": i.get("Engine"), "engine_version": i.get("EngineVersion"),
            "cluster_identifier": i.get("DBClusterIdentifier"),
            "performance_insights_enabled": i.get("PerformanceInsightsEnabled"),
            "monitoring_interval": i.get("MonitoringInterval"), "tags_all": tags_of(i.get("TagList"))}


@reader("aws_secretsmanager_secret")
def secret(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    # DescribeSecret only: metadata. GetSecretValue is never called.
    s = aws.call("secretsmanager", "describe_secret", SecretId=a.get("arn") or a["id"])
    if s.get("DeletedDate"):
        raise Missing(f"{s['Name']} is scheduled for deletion")
    return {"name": s["Name"], "description": s.get("Description", ""), "kms_key_id": s.get("KmsKeyId", ""),
            "tags_all": tags_of(s.get("Tags"))}


@reader("aws_ssm_parameter")
def ssm_parameter(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    # DescribeParameters only: name, type, version, tier. The value is never requested.
    name = a.get("name") or a["id"]
    found = aws.call("ssm", "describe_parameters",
                     ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]).get("Parameters")
    p = first(found, name)
    return {"name": p["Name"], "type": p.get("Type"), "version": p.get("Version"), "tier": p.get("Tier"),
            "description": p.get("Description", ""), "data_type": p.get("DataType")}


@reader("aws_service_discovery_private_dns_namespace")
def dns_namespace(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    n = aws.call("servicediscovery", "get_namespace", Id=a["id"])["Namespace"]
    zone = ((n.get("Properties") or {}).get("DnsProperties") or {}).get("HostedZoneId")
    return {"name": n["Name"], "description": n.get("Description", ""), "hosted_zone": zone}


@reader("aws_service_discovery_service")
def discovery_service(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    s = aws.call("servicediscovery", "get_service", Id=a["id"])["Service"]
    live: dict[str, Any] = {"name": s["Name"], "description": s.get("Description", "")}
    dns = s.get("DnsConfig")
    if dns:
        live["dns_config"] = [{"namespace_id": dns.get("NamespaceId") or s.get("NamespaceId"),
                               "routing_policy": dns.get("RoutingPolicy"),
                               "dns_records": [{"ttl": r.get("TTL"), "type": r.get("Type")}
                                               for r in dns.get("DnsRecords") or []]}]
    return live


@reader("aws_lambda_function")
def lambda_function(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    # Environment variables are not read back: they may carry credentials.
    f = aws.call("lambda", "get_function_configuration", FunctionName=a.get("function_name") or a["id"])
    vpc = f.get("VpcConfig") or {}
    live = {"function_name": f["FunctionName"], "runtime": f.get("Runtime"), "handler": f.get("Handler"),
            "memory_size": f.get("MemorySize"), "timeout": f.get("Timeout"), "role": f.get("Role"),
            "source_code_hash": f.get("CodeSha256")}
    if vpc.get("SubnetIds"):
        live["vpc_config"] = [{"subnet_ids": vpc.get("SubnetIds"), "security_group_ids": vpc.get("SecurityGroupIds")}]
    return live


@reader("aws_lambda_permission")
def lambda_permission(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    arguments = {"FunctionName": a["function_name"]}
    if a.get("qualifier"):
        arguments["Qualifier"] = a["qualifier"]
    policy = json.loads(aws.call("lambda", "get_policy", **arguments)["Policy"])
    for statement in policy.get("Statement") or []:
        if statement.get("Sid") == a["statement_id"]:
            principal = statement.get("Principal")
            principal = principal.get("Service") or principal.get("AWS") if isinstance(principal, dict) else principal
            source = ((statement.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn")
            live = {"action": statement.get("Action"), "principal": principal}
            if source is not None:
                live["source_arn"] = source
            return live
    raise Missing(f"no statement {a['statement_id']} in the policy of {a['function_name']}")
