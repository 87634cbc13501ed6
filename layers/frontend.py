"""Layer 11-frontend: the static frontend's S3 bucket and the CloudFront distribution in front of it
(the bucket for the site, the API Gateway stage under `/api/*`), its SPA routing function and its
error-rate alarms. Reads 08-api-gateway (the stage's invoke URL).

The original layer had no backend block, so its state is a local file: this stack writes to the S3
backend of every layer (`<environment>/11-frontend/terraform.tfstate`), and docs/layers.md says how to move
the existing local state there once (`terraform init -migrate-state`) before anything else is run.
The alarms notify the alerts topic of 12-notification (the original wrote its ARN as a literal in the
variable files of dev and Seoul; staging and prod had none). Addresses: the original modules
`s3_frontend` and `cloudfront`; the optional parts were `count` resources (`[0]`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack
from layers.contracts import api_gateway
from layers.contracts.frontend import OUTPUTS
from layers.contracts.notification import alerts_topic_arn
from modules.alarms import AlarmDefinition, MetricAlarms, MetricAlarmsProps
from modules.cdn import Cdn, CdnProps
from modules.access_log_bucket import AccessLogBucket, AccessLogBucketProps
from modules.origin import Origin
from modules.static_site import StaticSite, StaticSiteProps

SITE_NAMES = {"bucket": "frontend", "public_access_block": "frontend", "versioning": "frontend",
              "encryption": "frontend", "website": "frontend", "identity": "frontend", "policy": "frontend",
              "access_logs": "s3_access_logs", "logging": "frontend", "cors": "frontend"}
CDN_ORIGIN = Origin("module.cloudfront", names={"distribution": "frontend"})
ALARM_ORIGIN = Origin("module.cloudfront")
CLOUDFRONT_METRICS_REGION = "Global"   # CloudFront publishes its metrics under this dimension value


class FrontendStack(LayerStack):
    layer = "11-frontend"
    outputs = OUTPUTS

    def build(self) -> None:
        env, settings, naming = self.env, self.env.frontend, self.naming
        api = self.read(api_gateway.OUTPUTS)
        self.api_url = api.string("api_gateway_invoke_url")
        skipped = set() if settings.access_logging else {"access_logs", "logging"}
        skipped |= set() if settings.cors else {"cors"}
        skipped |= {"identity"} if settings.origin_access == "control" else set()
        log_bucket = self._log_bucket() if settings.access_logging and settings.access_log_bucket else None
        self.site = StaticSite(self, "site", StaticSiteProps(
            naming=naming,
            origin=Origin("module.s3_frontend", names={k: v for k, v in SITE_NAMES.items() if k not in skipped}),
            bucket=("frontend", env.environment),
            versioning=settings.versioning,
            access_logging=settings.access_logging,
            log_retention_days=settings.log_retention_days,
            cors_allowed_origins=settings.cors_allowed_origins if settings.cors else (),
            origin_access=settings.origin_access, log_bucket=log_bucket.name if log_bucket else None,
            log_bucket_ready=log_bucket.ready if log_bucket else (),
        ))
        self.cdn = Cdn(self, "cdn", CdnProps(
            naming=naming,
            origin=CDN_ORIGIN,
            bucket_name=self.site.bucket_name,
            bucket_domain_name=self.site.bucket_regional_domain_name,
            origin_access_identity_path=self.site.origin_access_identity_path,
            api_invoke_url=self.api_url,
            api_origin_path=f"/{api_gateway.stage_name(env)}",
            price_class=settings.price_class,
            viewer_protocol_policy=settings.viewer_protocol_policy,
            minimum_protocol_version=settings.minimum_protocol_version,
            spa_routing=settings.spa_routing,
            origin_access_control_id=self.site.origin_access_control_id,
        ))
        if settings.origin_access == "control":
            self.site.read_by(self.cdn.distribution.arn)
        if settings.monitoring:
            identity = DataAwsCallerIdentity(self, "current")
            topic = alerts_topic_arn(naming, env.notification.topic, env.region, identity.account_id)
            dimensions = {"DistributionId": self.cdn.distribution_id, "Region": CLOUDFRONT_METRICS_REGION}
            rates = (("4xx", settings.error_4xx_threshold_percent, settings.error_4xx_description),
                     ("5xx", settings.error_5xx_threshold_percent, settings.error_5xx_description))
            MetricAlarms(self, "alarms", MetricAlarmsProps(
                origin=ALARM_ORIGIN, origin_key=0, alarm_actions=[topic],
                alarms=[AlarmDefinition(
                    id=f"cloudfront_{kind}", name=naming.name(f"cloudfront-{kind}-errors"), namespace="AWS/CloudFront",
                    metric=f"{kind}ErrorRate", statistic="Average", comparison="GreaterThanThreshold",
                    threshold=threshold, evaluation_periods=2, period=300, description=description,
                    dimensions=dimensions) for kind, threshold, description in rates],
                tags={f"cloudfront_{kind}": naming.tags_for(f"cloudfront-{kind}-alarm") for kind, _, _ in rates},
            ))

    def _log_bucket(self) -> AccessLogBucket:
        """The bucket of the site's access logs (`frontend.access_log_bucket`), named after the site's."""
        env, naming = self.env, self.naming
        site_bucket_arn = f"arn:aws:s3:::{naming.name('frontend', env.environment)}"
        return AccessLogBucket(self, "access_log_bucket", AccessLogBucketProps(
            name=naming.name("frontend", env.environment, "logs"), source_bucket_arn=site_bucket_arn,
            account_id=DataAwsCallerIdentity(self, "log_bucket_account").account_id,
            retention_days=env.frontend.log_retention_days,
            tags=naming.tags_for("frontend-access-logs", Purpose="s3-access-logs")))

    def output_values(self) -> Mapping[str, Any]:
        bucket, distribution = self.site.bucket_name, self.cdn.distribution_id
        url = f"https://{self.cdn.domain_name}"
        upload = (f"aws s3 sync ../../../spring-petclinic-api-gateway/src/main/resources/static/ "
                  f"s3://{bucket}/ --delete")
        invalidate = f"aws cloudfront create-invalidation --distribution-id {distribution} --paths '/*'"
        return {
            "s3_bucket_name": bucket,
            "cloudfront_distribution_id": distribution,
            "frontend_url": url,
            "api_gateway_url": self.api_url,
            "upload_command": upload,
            "cache_invalidation_command": invalidate,
            "deployment_complete": (f"Frontend deployed.\nURL: {url}\nS3 bucket: {bucket}\n"
                                    f"Upload the files: {upload}\nInvalidate the cache: {invalidate}\n"),
        }
