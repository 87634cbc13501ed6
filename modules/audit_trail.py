"""A multi-region CloudTrail trail with what it writes to: a private, versioned S3 bucket encrypted
with the trail's own KMS key (and alias), a bucket policy that lets only this trail write, and a
CloudWatch log group fed through an IAM role that may only write to that group.

No metric filters or alarms on the trail's events (the caller makes those on `log_group`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail, CloudtrailEventSelector, CloudtrailEventSelectorDataResource
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

SERVICE = "cloudtrail.amazonaws.com"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class AuditTrailProps:
    naming: Naming
    origin: Origin
    trail: tuple[str, ...]      # name parts below the prefix; the role and its policy are named after it
    bucket: tuple[str, ...]
    region: str
    account_id: str
    s3_key_prefix: str
    kms_alias: str
    key_deletion_window_days: int
    log_retention_days: int

    def __post_init__(self) -> None:
        if not self.trail or not self.bucket:
            raise ValueError("AuditTrailProps.trail and .bucket: give the name parts below the prefix")


class AuditTrail(Construct):
    def __init__(self, scope: Construct, id: str, props: AuditTrailProps):
        super().__init__(scope, id)
        carry, naming = props.origin.carry, props.naming
        trail_name = naming.name(*props.trail)
        self._key(props)
        self._bucket(props, f"arn:aws:cloudtrail:{props.region}:{props.account_id}:trail/{trail_name}")
        self._logs(props, trail_name)
        self.trail = carry(Cloudtrail(
            self, "Default",
            name=trail_name,
            s3_bucket_name=self.bucket.id,
            s3_key_prefix=props.s3_key_prefix,
            include_global_service_events=True,
            is_multi_region_trail=True,
            enable_logging=True,
            kms_key_id=self.key.arn,
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=self.role.arn,
            event_selector=[CloudtrailEventSelector(
                read_write_type="All", include_management_events=True,
                data_resource=[CloudtrailEventSelectorDataResource(type="AWS::S3::Object",
                                                                   values=[f"{self.bucket.arn}/*"])],
            )],
            tags=naming.tags_for(Component="cloudtrail", Purpose="audit-logging"),
            depends_on=[self.bucket_policy],
        ), "trail")

    def _key(self, props: AuditTrailProps) -> None:
        """The KMS key the trail encrypts with (CloudTrail may use it), and its alias."""
        carry, naming = props.origin.carry, props.naming
        self.key = carry(KmsKey(
            self, "key", description="KMS key for CloudTrail encryption",
            deletion_window_in_days=props.key_deletion_window_days,
            policy=_document(
                {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{props.account_id}:root"}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": SERVICE},
                 "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
            ),
            tags=naming.tags_for(Component="cloudtrail-encryption"),
        ), "key")
        carry(KmsAlias(self, "key_alias", name=props.kms_alias, target_key_id=self.key.key_id), "key_alias")

    def _bucket(self, props: AuditTrailProps, trail_arn: str) -> None:
        """The log bucket: versioned, private, encrypted with the key, writable by this trail only."""
        carry, naming = props.origin.carry, props.naming
        self.bucket = carry(S3Bucket(self, "bucket", bucket=naming.name(*props.bucket),
                                     tags=naming.tags_for(Component="cloudtrail-storage", Purpose="audit-logging")),
                            "bucket")
        carry(S3BucketVersioningA(self, "bucket_versioning", bucket=self.bucket.id,
                                  versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled")),
              "bucket_versioning")
        carry(S3BucketPublicAccessBlock(self, "bucket_public_access_block", bucket=self.bucket.id,
                                        block_public_acls=True, block_public_policy=True,
                                        ignore_public_acls=True, restrict_public_buckets=True),
              "bucket_public_access_block")
        carry(S3BucketServerSideEncryptionConfigurationA(
            self, "bucket_encryption", bucket=self.bucket.id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=self.key.arn)),
                bucket_key_enabled=True)],
        ), "bucket_encryption")
        self.bucket_policy = carry(S3BucketPolicy(self, "bucket_policy", bucket=self.bucket.id, policy=_document(
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": SERVICE},
             "Action": "s3:GetBucketAcl", "Resource": self.bucket.arn,
             "Condition": {"StringEquals": {"AWS:SourceArn": trail_arn}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": SERVICE},
             "Action": "s3:PutObject", "Resource": f"{self.bucket.arn}/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceArn": trail_arn}}},
        )), "bucket_policy")

    def _logs(self, props: AuditTrailProps, trail_name: str) -> None:
        """The CloudWatch log group the trail also writes to, and the role it writes with."""
        carry, naming = props.origin.carry, props.naming
        self.log_group = carry(CloudwatchLogGroup(
            self, "logs", name=f"/aws/cloudtrail/{trail_name}", retention_in_days=props.log_retention_days,
            tags=naming.tags_for(Component="cloudtrail-logs")), "logs")
        self.role = carry(IamRole(self, "logs_role", name=naming.name(*props.trail, "cloudwatch-logs-role"), tags=naming.tags_for(),
                                  assume_role_policy=_document({"Action": "sts:AssumeRole", "Effect": "Allow",
                                                                "Principal": {"Service": SERVICE}})), "logs_role")
        carry(IamRolePolicy(self, "logs_role_policy", name=naming.name(*props.trail, "cloudwatch-logs-policy"), role=self.role.id,
                            policy=_document({"Effect": "Allow", "Resource": f"{self.log_group.arn}:*", "Action": [
                                "logs:PutLogEvents", "logs:CreateLogGroup", "logs:CreateLogStream"]})),
              "logs_role_policy")

    @property
    def trail_arn(self) -> str:
        return self.trail.arn

    @property
    def bucket_id(self) -> str:
        return self.bucket.id

    @property
    def log_group_name(self) -> str:
        return self.log_group.name
