"""An Aurora MySQL cluster on Serverless v2: a subnet group, the cluster, one writer and one reader
instance, and (when enhanced monitoring is on) the role RDS uses to publish OS metrics.

Minor versions: with `minor_upgrades_by_aws` (Aurora's automatic minor version upgrades, on by
default for every instance), Terraform does not manage `engine_version` after creation
(`ignore_changes`): the cluster runs whatever minor version Aurora upgraded it to, and a plan never
proposes a downgrade, which AWS would refuse. `engine_version` is then the version a new cluster
starts at; a major upgrade is a deliberate change made with the switch off.

The master password is managed by RDS in Secrets Manager (`manage_master_user_password`): no
password is ever an input here. The RDS Data API is the cluster's own `enable_http_endpoint`
argument. The final snapshot, when one is taken, has a fixed name derived from the cluster's name.

Each resource declares its place in the original `database` module (`props.origin`).

Holds no security group (the caller passes the ids it may use) and no parameters or alarms.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster, RdsClusterServerlessv2ScalingConfiguration
from cdktf_cdktf_provider_aws.rds_cluster_parameter_group import RdsClusterParameterGroup, RdsClusterParameterGroupParameter
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin, created

ENGINE = "aurora-mysql"
ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
MONITORING_SERVICE = "monitoring.rds.amazonaws.com"


@dataclass(frozen=True)
class AuroraProps:
    naming: Naming
    origin: Origin
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    engine_version: str
    instance_class: str
    database_name: str
    master_username: str
    port: int
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    storage_encrypted: bool
    min_capacity: float
    max_capacity: float
    deletion_protection: bool
    skip_final_snapshot: bool
    data_api: bool
    performance_insights: bool
    performance_insights_retention_days: int
    monitoring_interval: int
    minor_upgrades_by_aws: bool = True
    require_secure_transport: bool = False   # a cluster parameter group with require_secure_transport = ON
    iam_authentication: bool = False

    def __post_init__(self) -> None:
        if self.max_capacity < self.min_capacity:
            raise ValueError("AuroraProps.max_capacity: below min_capacity")

    @property
    def final_snapshot_identifier(self) -> str | None:
        """Stable, so a plan never shows a change; `None` when no final snapshot is taken."""
        return None if self.skip_final_snapshot else self.naming.name("aurora-final")


class Aurora(Construct):
    """`cluster`, `writer`, `reader`, `subnet_group`, and `monitoring_role` (None when monitoring is off)."""

    def __init__(self, scope: Construct, id: str, props: AuroraProps):
        super().__init__(scope, id)
        self.props = props
        origin, naming = props.origin, props.naming
        self.subnet_group = origin.carry(DbSubnetGroup(
            self, "subnet_group",
            name=naming.name("aurora-subnet-group"),
            subnet_ids=props.subnet_ids,
            tags=naming.tags_for("aurora-subnet-group", Type="db-subnet-group"),
        ), "this")
        self.parameter_group = self._tls_parameter_group() if props.require_secure_transport else None
        self.cluster = origin.carry(RdsCluster(
            self, "Default",
            cluster_identifier=naming.name("aurora-cluster"),
            engine=ENGINE,
            engine_version=props.engine_version,
            database_name=props.database_name,
            master_username=props.master_username,
            manage_master_user_password=True,
            port=props.port,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=list(props.security_group_ids),
            backup_retention_period=props.backup_retention_days,
            preferred_backup_window=props.backup_window,
            preferred_maintenance_window=props.maintenance_window,
            deletion_protection=props.deletion_protection,
            skip_final_snapshot=props.skip_final_snapshot,
            final_snapshot_identifier=props.final_snapshot_identifier,
            serverlessv2_scaling_configuration=RdsClusterServerlessv2ScalingConfiguration(
                min_capacity=props.min_capacity, max_capacity=props.max_capacity),
            storage_encrypted=props.storage_encrypted,
            enable_http_endpoint=props.data_api,
            db_cluster_parameter_group_name=self.parameter_group.name if self.parameter_group else None,
            iam_database_authentication_enabled=True if props.iam_authentication else None,
            tags=naming.tags_for("aurora-cluster", Type="aurora-cluster"),
            lifecycle=self._version_lifecycle(),
        ), "this")
        self.monitoring_role = self._monitoring_role() if props.monitoring_interval > 0 else None
        self.writer = self._instance("writer", Role="primary")
        self.reader = self._instance("reader", Role="replica")

    def _tls_parameter_group(self) -> RdsClusterParameterGroup:
        # The engine's family: 8.0.mysql_aurora.* is Aurora MySQL 3, family aurora-mysql8.0.
        naming = self.props.naming
        return created(RdsClusterParameterGroup(
            self, "tls",
            name=naming.name("aurora-tls"),
            family="aurora-mysql8.0",
            description="Aurora MySQL: clients must use TLS (design 7.6 / 8.4)",
            parameter=[RdsClusterParameterGroupParameter(name="require_secure_transport", value="ON")],
            tags=naming.tags_for("aurora-tls", Type="db-parameter-group"),
        ), "the design's TLS enforcement (§7.6): the original used the default parameter group")

    @property
    def writer_instance_id(self) -> str:
        return self.writer.id

    @property
    def reader_instance_id(self) -> str:
        return self.reader.id

    @property
    def subnet_group_name(self) -> str:
        return self.subnet_group.name

    def _instance(self, role: str, **extra_tags: str) -> RdsClusterInstance:
        props = self.props
        return props.origin.carry(RdsClusterInstance(
            self, role,
            identifier=props.naming.name("aurora", role),
            cluster_identifier=self.cluster.id,
            instance_class=props.instance_class,
            engine=self.cluster.engine,
            engine_version=self.cluster.engine_version,
            monitoring_interval=props.monitoring_interval,
            monitoring_role_arn=self.monitoring_role.arn if self.monitoring_role else None,
            performance_insights_enabled=props.performance_insights,
            performance_insights_retention_period=(
                props.performance_insights_retention_days if props.performance_insights else None),
            tags=props.naming.tags_for(f"aurora-{role}", Type=f"aurora-{role}", **extra_tags),
            lifecycle=self._version_lifecycle(),
        ), role)

    def _version_lifecycle(self) -> TerraformResourceLifecycle | None:
        if not self.props.minor_upgrades_by_aws:
            return None
        return TerraformResourceLifecycle(ignore_changes=["engine_version"])

    def _monitoring_role(self) -> IamRole:
        origin, naming = self.props.origin, self.props.naming
        role = origin.carry(IamRole(
            self, "monitoring_role",
            name=naming.name("aurora-enhanced-monitoring-role"),
            assume_role_policy=json.dumps({
                "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                               "Principal": {"Service": MONITORING_SERVICE}}],
                "Version": "2012-10-17",
            }, separators=(",", ":")),
            tags=naming.tags_for("aurora-enhanced-monitoring-role", Type="iam-role"),
        ), "enhanced_monitoring", 0)
        origin.carry(IamRolePolicyAttachment(self, "monitoring_policy", role=role.name,
                                             policy_arn=ENHANCED_MONITORING_POLICY_ARN), "enhanced_monitoring", 0)
        return role
