"""03-database's settings: the Aurora cluster."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, SettingError

# Aurora's window syntax: "hh:mm-hh:mm" (backups) and "ddd:hh:mm-ddd:hh:mm" (maintenance), UTC.
BackupWindow = Annotated[StrictStr, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
MaintenanceWindow = Annotated[StrictStr, StringConstraints(
    pattern=r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")]
Capacity = Annotated[float, Field(ge=0, le=256, multiple_of=0.5, strict=False)]


class Database(Frozen):
    """03-database: the Aurora MySQL (serverless v2) cluster. Its port is `security.database_port`."""

    engine_version: Annotated[StrictStr, StringConstraints(pattern=r"^8\.0\.mysql_aurora\.\d+\.\d+\.\d+$")]
    instance_class: StrictStr
    db_name: Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,63}$")]
    master_username: Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,15}$")]
    backup_retention_days: Annotated[StrictInt, Field(ge=1, le=35)]
    backup_window: BackupWindow
    maintenance_window: MaintenanceWindow
    storage_encrypted: StrictBool
    performance_insights: StrictBool
    performance_insights_retention_days: Annotated[StrictInt, Field(ge=7, le=731)]
    monitoring_interval: Annotated[StrictInt, Field(ge=0, le=60)]
    min_capacity: Capacity
    max_capacity: Capacity
    deletion_protection: StrictBool
    skip_final_snapshot: StrictBool
    data_api: StrictBool
    # Aurora applies minor upgrades itself: Terraform then leaves the running engine version alone.
    minor_upgrades_by_aws: StrictBool
    # Design switches (envs/_switches.toml), off as deployed. On: a cluster parameter group with
    # require_secure_transport = ON (applies after a reboot; flip parameter_store.jdbc_tls first),
    # and IAM database authentication beside the master user's password.
    require_secure_transport: StrictBool
    iam_authentication: StrictBool
    # Days between rotations of the RDS-managed master secret, set by Terraform (design switch); 0 leaves
    # the schedule to RDS (every 7 days), as deployed.
    secret_rotation_days: Annotated[StrictInt, Field(ge=0, le=365)]
    # Each service with a database logs in as its own user (§7.3, design switch): 03 creates the empty
    # secret <name_prefix>-<service>-db, tools/service_db_users.py writes its value, and the service's
    # task reads user and password from it, and the URL of its own database (the user has rights on
    # nothing else), as with parameter_store.per_service_databases. Off (as deployed): the master user.
    service_users: StrictBool
    # The region of a daily AWS Backup copy of the cluster (disaster recovery, A79); "" makes none.
    # The schedule (AWS Backup's cron, UTC) and how long the recovery points and their copies are kept.
    backup_copy_region: Annotated[StrictStr, StringConstraints(pattern=r"^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d)?$")]
    backup_copy_schedule: Annotated[StrictStr, StringConstraints(pattern=r"^cron\(.+\)$")]
    backup_copy_retention_days: Annotated[StrictInt, Field(ge=1, le=36500)]

    @model_validator(mode="after")
    def _consistent(self) -> "Database":
        if self.max_capacity < self.min_capacity:
            raise SettingError("database.max_capacity",
                               f"{self.max_capacity} is below database.min_capacity {self.min_capacity}")
        if self.monitoring_interval not in (0, 1, 5, 10, 15, 30, 60):
            raise SettingError("database.monitoring_interval",
                               f"{self.monitoring_interval} is not one of 0, 1, 5, 10, 15, 30, 60 (seconds)")
        if self.performance_insights_retention_days not in (7, 731) and self.performance_insights_retention_days % 31:
            raise SettingError("database.performance_insights_retention_days",
                               f"{self.performance_insights_retention_days} is not 7, 731 or a multiple of 31")
        return self
