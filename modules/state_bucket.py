"""The S3 bucket that holds the layers' Terraform states: versioned (every state write kept, and S3
native locking needs it), encrypted at rest (SSE-S3), public access blocked, TLS-only by its policy.

Holds no lock table: the layers lock with S3 native locking (`use_lockfile`, Terraform >= 1.10).
Deliberately not `force_destroy`: the original bootstrap allowed deleting the bucket with every
layer's state in it; a state bucket is the one thing a `destroy` must not take with it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA, S3BucketVersioningVersioningConfiguration
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

SSE_ALGORITHM = "AES256"


@dataclass(frozen=True)
class StateBucketProps:
    naming: Naming
    origin: Origin
    bucket_name: str


class StateBucket(Construct):
    def __init__(self, scope: Construct, id: str, props: StateBucketProps):
        super().__init__(scope, id)
        origin = props.origin
        self.bucket = origin.carry(S3Bucket(
            self, "Default", bucket=props.bucket_name, force_destroy=False,
            tags=props.naming.tags_for(Name=props.bucket_name),
        ), "tfstate")
        origin.carry(S3BucketPublicAccessBlock(
            self, "public_access_block", bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True,
        ), "tfstate")
        origin.carry(S3BucketVersioningA(
            self, "versioning", bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        ), "tfstate")
        origin.carry(S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=self.bucket.id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm=SSE_ALGORITHM)))],
        ), "tfstate")
        origin.carry(S3BucketPolicy(
            self, "tls_only", bucket=self.bucket.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [self.bucket.arn, f"{self.bucket.arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }]}),
        ), "tfstate")
        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
