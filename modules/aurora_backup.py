"""A cross-region copy of the Aurora cluster's backups for disaster recovery (§7.5, claim A79):
an AWS Backup plan whose daily rule backs the cluster up into a vault of the home region and copies
each recovery point into a vault of a second region, the selection of the cluster, and the role AWS
Backup works under (the AWS managed backup and restore policies). Each vault encrypts its recovery
points with a customer managed KMS key of its own region (rotated yearly; the account's IAM policies,
the backup role's among them, decide who uses it).

The second region's vault is made through the aliased provider the caller passes (one provider per
region is Terraform's rule). Aurora's own automated backups (backup_retention_period) are untouched:
this is a second, independent line of recovery points, kept in another region.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.backup_plan import (
    BackupPlan,
    BackupPlanRule,
    BackupPlanRuleCopyAction,
    BackupPlanRuleCopyActionLifecycle,
    BackupPlanRuleLifecycle,
)
from cdktf_cdktf_provider_aws.backup_selection import BackupSelection
from cdktf_cdktf_provider_aws.backup_vault import BackupVault
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from modules.naming import Naming
from modules.origin import created

NEW = "the cross-region backup copy of the Aurora cluster (database.backup_copy_region, A79); the original had none"
MANAGED_POLICIES = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
}
SCHEDULE = re.compile(r"^cron\(.+\)$")


@dataclass(frozen=True)
class AuroraBackupProps:
    naming: Naming
    account_id: str
    cluster_arn: str
    copy_provider: TerraformProvider   # the aliased provider of the copy's region
    copy_region: str
    home_region: str
    schedule: str                      # AWS Backup's cron expression, UTC
    retention_days: int                # how long both the recovery point and its copy are kept
    tags: Mapping[str, str]

    def __post_init__(self) -> None:
        if self.copy_region == self.home_region:
            raise ValueError(f"AuroraBackupProps.copy_region: {self.copy_region} is the cluster's own region; "
                             "a copy for disaster recovery goes to another one")
        if not SCHEDULE.match(self.schedule):
            raise ValueError(f"AuroraBackupProps.schedule: {self.schedule!r} is not a cron(...) expression")
        if not 1 <= self.retention_days <= 36500:
            raise ValueError(f"AuroraBackupProps.retention_days: {self.retention_days} is not 1..36500")


class AuroraBackup(Construct):
    def __init__(self, scope: Construct, id: str, props: AuroraBackupProps):
        super().__init__(scope, id)
        naming, tags = props.naming, dict(props.tags)
        key = self._key("key", props, None)
        copy_key = self._key("copy_key", props, props.copy_provider)
        self.vault = created(BackupVault(self, "vault", name=naming.name("aurora-backup"), kms_key_arn=key.arn,
                                         tags=tags), NEW)
        self.copy_vault = created(BackupVault(
            self, "copy_vault", name=naming.name("aurora-backup", props.copy_region), kms_key_arn=copy_key.arn,
            provider=props.copy_provider, tags=tags), NEW)
        self.role = created(IamRole(
            self, "role", name=naming.name("aurora-backup-role"), tags=tags,
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
            NEW)
        for key, arn in MANAGED_POLICIES.items():
            created(IamRolePolicyAttachment(self, f"role_{key}", role=self.role.name, policy_arn=arn), NEW)
        self.plan = created(BackupPlan(
            self, "plan", name=naming.name("aurora-backup"), tags=tags,
            rule=[BackupPlanRule(
                rule_name="daily-with-cross-region-copy", target_vault_name=self.vault.name,
                schedule=props.schedule, lifecycle=BackupPlanRuleLifecycle(delete_after=props.retention_days),
                copy_action=[BackupPlanRuleCopyAction(
                    destination_vault_arn=self.copy_vault.arn,
                    lifecycle=BackupPlanRuleCopyActionLifecycle(delete_after=props.retention_days))],
            )]), NEW)
        self.selection = created(BackupSelection(
            self, "selection", name=naming.name("aurora"), plan_id=self.plan.id, iam_role_arn=self.role.arn,
            resources=[props.cluster_arn]), NEW)

    def _key(self, id: str, props: AuroraBackupProps, provider: TerraformProvider | None) -> KmsKey:
        """A vault's key: the account may use it through IAM (the backup role's managed policies)."""
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "EnableIamPolicies", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{props.account_id}:root"},
            "Action": "kms:*", "Resource": "*"}]}
        return created(KmsKey(self, id, description="Aurora backup recovery points (AWS Backup vault)",
                              enable_key_rotation=True, deletion_window_in_days=30, policy=json.dumps(policy),
                              provider=provider, tags=dict(props.tags)), NEW)
