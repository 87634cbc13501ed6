"""Layer 03-database: the Aurora MySQL cluster of the platform. Reads 01-network (the private DB
subnets) and 02-security (the Aurora security group). With `database.service_users`, also one empty
secret per service for its database user (the value is written by tools/service_db_users.py).

Addresses: the `Aurora` construct declares where each resource was in the original
`module.aurora_cluster`; the original's `null_resource` that switched the Data API on through the AWS
CLI leaves the state without being destroyed (the cluster's own `enable_http_endpoint` does that job
now). Outputs are the original layer's, by name, meaning and shape (including its sensitive ones).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf import Fn
from cdktf_cdktf_provider_aws.secretsmanager_secret_rotation import (
    SecretsmanagerSecretRotation,
    SecretsmanagerSecretRotationRotationRules,
)

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags

from layers.base import LayerStack, StateRemoval
from layers.contracts import application, network, security
from layers.contracts.database import OUTPUTS, service_user_secret_parts
from modules.aurora import Aurora, AuroraProps
from modules.database_user_secret import DatabaseUserSecret, DatabaseUserSecretProps
from modules.aurora_backup import AuroraBackup, AuroraBackupProps
from modules.origin import Origin, created


class DatabaseStack(LayerStack):
    layer = "03-database"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env, db = self.env, self.env.database
        self.network = self.read(network.OUTPUTS)
        self.security = self.read(security.OUTPUTS)
        self.subnet_ids = self.network.values("private_db_subnet_ids")
        self.security_group_id = self.security.string("aurora_security_group_id")
        self.aurora = Aurora(self, "aurora", AuroraProps(
            naming=self.naming,
            origin=Origin("module.aurora_cluster"),
            subnet_ids=self.subnet_ids,
            security_group_ids=[self.security_group_id],
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            database_name=db.db_name,
            master_username=db.master_username,
            port=env.security.database_port,
            backup_retention_days=db.backup_retention_days,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            storage_encrypted=db.storage_encrypted,
            min_capacity=db.min_capacity,
            max_capacity=db.max_capacity,
            deletion_protection=db.deletion_protection,
            skip_final_snapshot=db.skip_final_snapshot,
            data_api=db.data_api,
            performance_insights=db.performance_insights,
            performance_insights_retention_days=db.performance_insights_retention_days,
            monitoring_interval=db.monitoring_interval,
            minor_upgrades_by_aws=db.minor_upgrades_by_aws,
            require_secure_transport=db.require_secure_transport,
            iam_authentication=db.iam_authentication,
        ))
        if db.secret_rotation_days:
            # The RDS-managed secret rotates with RDS's own function: no Lambda of ours, only the schedule.
            created(SecretsmanagerSecretRotation(
                self, "master_secret_rotation",
                secret_id=self.aurora.cluster.master_user_secret.get(0).secret_arn,
                rotation_rules=SecretsmanagerSecretRotationRotationRules(
                    automatically_after_days=db.secret_rotation_days)),
                "the master secret's rotation schedule as the design sets it (A66); RDS's default is 7 days")
        if db.service_users:
            self._service_user_secrets()
        if db.backup_copy_region:
            self._backup_copy()

    def _service_user_secrets(self) -> None:
        """One empty secret per service with a database (§7.3): Terraform owns the secret, never its value,
        which tools/service_db_users.py writes after this layer and before 07's tasks read it."""
        for service in application.database_services(self.env):
            DatabaseUserSecret(self, f"{service}_db_secret", DatabaseUserSecretProps(
                naming=self.naming, name_parts=service_user_secret_parts(service),
                description=f"Credentials of the {service} service's database user (rights on its own database "
                            "only); written by tools/service_db_users.py",
                reason="every service logged in as the master user; each now has its own user (§7.3)"))

    def _backup_copy(self) -> None:
        """§7.5's cross-region backup (A79): the copy's vault through a provider of the second region."""
        env, db = self.env, self.env.database
        copy_provider = AwsProvider(self, "aws_backup_copy", alias="backup_copy", region=db.backup_copy_region,
                                    default_tags=[AwsProviderDefaultTags(tags=self.default_tags)])
        AuroraBackup(self, "aurora_backup", AuroraBackupProps(
            naming=self.naming, account_id=DataAwsCallerIdentity(self, "current").account_id,
            cluster_arn=self.aurora.cluster.arn, copy_provider=copy_provider,
            copy_region=db.backup_copy_region, home_region=env.region, schedule=db.backup_copy_schedule,
            retention_days=db.backup_copy_retention_days, tags=self.naming.tags_for("aurora-backup")))

    def state_removals(self) -> list[StateRemoval]:
        return [StateRemoval("module.aurora_cluster.null_resource.enable_data_api",
                             "replaced by the cluster's enable_http_endpoint; the null provider is not needed")]

    def output_values(self) -> Mapping[str, Any]:
        db, cluster = self.env.database, self.aurora.cluster
        writer_url = f"jdbc:mysql://{cluster.endpoint}:{Fn.tostring(cluster.port)}/{cluster.database_name}"
        reader_url = f"jdbc:mysql://{cluster.reader_endpoint}:{Fn.tostring(cluster.port)}/{cluster.database_name}"
        # The original's readiness checks, on the values read from the other layers' states.
        subnets, vpc = self.network.expression("private_db_subnet_ids"), self.network.expression("vpc_id")
        group = self.security.expression("aurora_security_group_id")
        network_ready = f'length(values({subnets})) >= 2 && {vpc} != null && {vpc} != ""'
        security_ready = f'{group} != null && {group} != "" && can(regex("^sg-[a-f0-9]+$", {group}))'
        network_ready_value, security_ready_value = f"${{{network_ready}}}", f"${{{security_ready}}}"
        return {
            "cluster_id": cluster.id,
            "cluster_identifier": cluster.id,
            "cluster_arn": cluster.arn,
            "cluster_endpoint": cluster.endpoint,
            "reader_endpoint": cluster.reader_endpoint,
            "cluster_port": cluster.port,
            "database_name": cluster.database_name,
            "master_username": cluster.master_username,
            "master_user_secret_name": cluster.master_user_secret.get(0).secret_arn,
            "writer_instance_id": self.aurora.writer_instance_id,
            "reader_instance_id": self.aurora.reader_instance_id,
            "db_subnet_group_name": self.aurora.subnet_group_name,
            "security_group_id": self.security_group_id,
            "subnet_ids": self.subnet_ids,
            "connection_info": {
                "writer_jdbc_url": writer_url,
                "reader_jdbc_url": reader_url,
                "writer_endpoint": cluster.endpoint,
                "reader_endpoint": cluster.reader_endpoint,
                "port": cluster.port,
                "database_name": cluster.database_name,
                "username": cluster.master_username,
                "secrets_manager_arn": f"{cluster.arn}:secret:rds-db-credentials/{cluster.master_username}",
            },
            "backup_info": {
                "backup_retention_period": db.backup_retention_days,
                "backup_window": db.backup_window,
                "maintenance_window": db.maintenance_window,
                "storage_encrypted": db.storage_encrypted,
            },
            "monitoring_info": {
                "performance_insights_enabled": db.performance_insights,
                "monitoring_interval": db.monitoring_interval,
            },
            "layer_dependencies": {
                "network_layer_ready": network_ready_value,
                "security_layer_ready": security_ready_value,
                "dependencies_ready": f"${{{network_ready} && {security_ready}}}",
                "referenced_subnets": Fn.length_of(self.subnet_ids),
                "security_group_id": self.security_group_id,
            },
            "database_summary": {
                "cluster_id": cluster.id,
                "writer_endpoint": cluster.endpoint,
                "reader_endpoint": cluster.reader_endpoint,
                "port": cluster.port,
                "database_name": cluster.database_name,
                "connection_info": {"writer_url": writer_url, "reader_url": reader_url},
                "dependencies": {"network_ready": network_ready_value, "security_ready": security_ready_value},
            },
        }
