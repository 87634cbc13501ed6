"""The S3 bucket that holds a static web site for CloudFront: public access blocked, encrypted
(SSE-S3), optionally versioned, CORS for GET/HEAD, a website configuration (index.html for errors,
so client-side routes work), and a bucket policy that lets only the distribution's origin access
identity read objects. Access logs, when on, go to a prefix of the same bucket, with a log group
kept beside them.

No distribution here (`cdn.py`); it reads `origin_access_identity_path` and
`bucket_regional_domain_name` from this construct.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.cloudfront_origin_access_identity import CloudfrontOriginAccessIdentity
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_cors_configuration import (
    S3BucketCorsConfiguration,
    S3BucketCorsConfigurationCorsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
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
from cdktf_cdktf_provider_aws.s3_bucket_website_configuration import (
    S3BucketWebsiteConfiguration,
    S3BucketWebsiteConfigurationErrorDocument,
    S3BucketWebsiteConfigurationIndexDocument,
)
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin, created

INDEX = "index.html"
ACCESS_LOG_PREFIX = "access-logs/"
CORS_MAX_AGE_SECONDS = 3000


@dataclass(frozen=True)
class StaticSiteProps:
    naming: Naming
    origin: Origin
    bucket: tuple[str, ...]     # the bucket's name parts below the prefix
    versioning: bool
    access_logging: bool
    log_retention_days: int
    cors_allowed_origins: Sequence[str]   # empty: no CORS configuration
    # "identity" (as deployed): the legacy origin access identity reads the bucket. "control": an origin
    # access control; the bucket policy then names the distribution (`read_by`, once it exists).
    origin_access: str = "identity"
    # The bucket the access logs go to; None (as deployed): the site bucket itself.
    log_bucket: str | None = None
    # What the logging waits for: the log bucket's policy admitting the S3 logging service (S3 refuses
    # PutBucketLogging to a target that does not admit it yet; found by the end-to-end run).
    log_bucket_ready: tuple[Any, ...] = ()


class StaticSite(Construct):
    def __init__(self, scope: Construct, id: str, props: StaticSiteProps):
        super().__init__(scope, id)
        carry, naming = props.origin.carry, props.naming
        bucket_name = naming.name(*props.bucket)
        self.bucket = carry(S3Bucket(self, "bucket", bucket=bucket_name, tags=naming.tags_for(
            "frontend-bucket", Environment=naming.environment, Purpose="frontend-hosting", ManagedBy="terraform")),
            "bucket")
        bucket_id = self.bucket.id
        carry(S3BucketPublicAccessBlock(self, "public_access_block", bucket=bucket_id, block_public_acls=True,
                                        block_public_policy=True, ignore_public_acls=True,
                                        restrict_public_buckets=True), "public_access_block")
        carry(S3BucketVersioningA(self, "versioning", bucket=bucket_id,
                                  versioning_configuration=S3BucketVersioningVersioningConfiguration(
                                      status="Enabled" if props.versioning else "Suspended")), "versioning")
        carry(S3BucketServerSideEncryptionConfigurationA(self, "encryption", bucket=bucket_id, rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256")),
                bucket_key_enabled=True)]), "encryption")
        self.website = carry(S3BucketWebsiteConfiguration(
            self, "website", bucket=bucket_id,
            index_document=S3BucketWebsiteConfigurationIndexDocument(suffix=INDEX),
            error_document=S3BucketWebsiteConfigurationErrorDocument(key=INDEX)), "website")
        self.props = props
        self.origin_access_control_id: str | None = None
        self.origin_access_identity_path = ""
        if props.origin_access == "control":
            self.origin_access_control_id = created(CloudfrontOriginAccessControl(
                self, "access_control", name=bucket_name, description=f"{naming.name()} frontend S3 bucket",
                origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4"),
                "the design's origin access control (frontend.origin_access); the original used an identity").id
        else:
            self.identity = carry(CloudfrontOriginAccessIdentity(
                self, "identity", comment=f"OAI for {naming.name()} frontend S3 bucket"), "identity")
            self.origin_access_identity_path = self.identity.cloudfront_access_identity_path
            self._policy({"AWS": self.identity.iam_arn}, None)
        if props.access_logging:
            carry(CloudwatchLogGroup(self, "access_logs", name=f"/aws/s3/{bucket_name}/access",
                                     retention_in_days=props.log_retention_days,
                                     tags=naming.tags_for("s3-access-logs", Service="s3", Type="access-logs")),
                  "access_logs", 0)
            carry(S3BucketLoggingA(self, "logging", bucket=bucket_id, target_bucket=props.log_bucket or bucket_id,
                                   target_prefix=ACCESS_LOG_PREFIX,
                                   depends_on=list(props.log_bucket_ready) or None), "logging", 0)
        if props.cors_allowed_origins:
            carry(S3BucketCorsConfiguration(self, "cors", bucket=bucket_id, cors_rule=[
                S3BucketCorsConfigurationCorsRule(allowed_headers=["*"], allowed_methods=["GET", "HEAD"],
                                                  allowed_origins=list(props.cors_allowed_origins),
                                                  max_age_seconds=CORS_MAX_AGE_SECONDS)]), "cors", 0)
        self.bucket_name = bucket_name
        self.bucket_regional_domain_name = self.bucket.bucket_regional_domain_name

    def read_by(self, distribution_arn: str) -> None:
        """With an origin access control: the bucket policy lets CloudFront read for this distribution only."""
        self._policy({"Service": "cloudfront.amazonaws.com"}, {"StringEquals": {"AWS:SourceArn": distribution_arn}})

    def _policy(self, principal: dict, condition: dict | None) -> None:
        statement = {"Sid": "AllowCloudFrontAccess", "Effect": "Allow", "Principal": principal,
                     "Action": "s3:GetObject", "Resource": f"{self.bucket.arn}/*"}
        self.props.origin.carry(S3BucketPolicy(self, "policy", bucket=self.bucket.id, policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{**statement, **({"Condition": condition} if condition else {})}],
        })), "policy")
