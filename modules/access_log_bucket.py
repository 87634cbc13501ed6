"""A bucket that receives the S3 server access logs of another bucket: private, owner-enforced (ACLs
disabled), encrypted, and admitting only the S3 logging service writing the logs of that one source
bucket of this account. A bucket cannot usefully log into itself: S3 has no delivery rights there
(ACLs disabled, no policy for logging.s3.amazonaws.com), and the logs would be served with the site."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from constructs import Construct

from modules.origin import created

NEW = "the site's access logs in a bucket of their own (frontend.access_log_bucket); the original logged into the site bucket"


@dataclass(frozen=True)
class AccessLogBucketProps:
    name: str
    source_bucket_arn: str
    account_id: str
    retention_days: int
    tags: Mapping[str, str]


class AccessLogBucket(Construct):
    def __init__(self, scope: Construct, id: str, props: AccessLogBucketProps):
        super().__init__(scope, id)
        self.bucket = created(S3Bucket(self, "bucket", bucket=props.name, tags=dict(props.tags)), NEW)
        bucket = self.bucket.id
        created(S3BucketPublicAccessBlock(self, "public_access_block", bucket=bucket, block_public_acls=True,
                                          block_public_policy=True, ignore_public_acls=True,
                                          restrict_public_buckets=True), NEW)
        created(S3BucketOwnershipControls(self, "ownership", bucket=bucket, rule=S3BucketOwnershipControlsRule(
            object_ownership="BucketOwnerEnforced")), NEW)
        # SSE-S3: server access log delivery does not support SSE-KMS target buckets.
        created(S3BucketServerSideEncryptionConfigurationA(self, "encryption", bucket=bucket, rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256")))]), NEW)
        created(S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket, rule=[
            S3BucketLifecycleConfigurationRule(
                id="expire-access-logs", status="Enabled", filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=props.retention_days)],
                abort_incomplete_multipart_upload=[
                    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=1)])]), NEW)
        # S3 refuses a logging target whose policy does not admit the logging service yet: the source's
        # logging waits for this (`ready`).
        self.policy = created(S3BucketPolicy(self, "policy", bucket=bucket, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                "Resource": f"{self.bucket.arn}/*",
                "Condition": {"ArnLike": {"aws:SourceArn": props.source_bucket_arn},
                              "StringEquals": {"aws:SourceAccount": props.account_id}}}],
        })), NEW)
        self.name = self.bucket.id
        self.ready = (self.policy,)
