"""A CloudFront distribution in front of a static-site bucket and, under `/api/*`, an API Gateway
stage: the bucket through its origin access identity, the API over HTTPS only and never cached,
single-page-app routing by a viewer-request CloudFront function (a path without a file name gets
`index.html`), and 403/404 answered with `/index.html`.

The certificate is CloudFront's default one; no aliases, no WAF, no access logging (as deployed).
Alarms on the distribution's error rates are the caller's (`alarms.py`, on `distribution_id`).
"""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionDefaultCacheBehaviorForwardedValues,
    CloudfrontDistributionDefaultCacheBehaviorForwardedValuesCookies,
    CloudfrontDistributionDefaultCacheBehaviorFunctionAssociation,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrderedCacheBehaviorForwardedValues,
    CloudfrontDistributionOrderedCacheBehaviorForwardedValuesCookies,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionOriginS3OriginConfig,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.cloudfront_function import CloudfrontFunction
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

API_ORIGIN_ID = "API-Gateway"
API_PATH = "/api/*"
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]   # a set: in the order plans show it
READ_METHODS = ["GET", "HEAD"]
API_FORWARDED_HEADERS = ["Authorization", "Content-Type", "X-Api-Key"]
STATIC_TTL = (0, 3600, 86400)   # min, default, max seconds
SPA_ERROR_CODES = (403, 404)
ERROR_CACHING_SECONDS = 300
# The viewer-request function: a path ending in "/" gets index.html, a path without a dot /index.html.
SPA_ROUTING_CODE = """function handler(event) {
    var request = event.request;
    var uri = request.uri;

    // Check whether the URI is missing a file name.
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    }
    // Check whether the URI is missing a file extension.
    else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }

    return request;
}
"""


@dataclass(frozen=True)
class CdnProps:
    naming: Naming
    origin: Origin
    bucket_name: str
    bucket_domain_name: str
    origin_access_identity_path: str    # the legacy identity's path; "" with an origin access control
    api_invoke_url: str          # "https://<id>.execute-api.<region>.amazonaws.com/<stage>"
    api_origin_path: str         # "/<stage>"
    price_class: str
    viewer_protocol_policy: str
    minimum_protocol_version: str
    spa_routing: bool
    origin_access_control_id: str | None = None   # the bucket is read with this OAC (replaces the identity)


class Cdn(Construct):
    def __init__(self, scope: Construct, id: str, props: CdnProps):
        super().__init__(scope, id)
        carry, naming = props.origin.carry, props.naming
        bucket_origin_id = f"S3-{props.bucket_name}"
        associations = []
        self.spa_routing = None
        if props.spa_routing:
            self.spa_routing = carry(CloudfrontFunction(
                self, "spa_routing", name=naming.name("spa-routing"), runtime="cloudfront-js-1.0",
                comment="SPA routing function for handling client-side routing", publish=True,
                code=SPA_ROUTING_CODE), "spa_routing", 0)
            associations.append(CloudfrontDistributionDefaultCacheBehaviorFunctionAssociation(
                event_type="viewer-request", function_arn=self.spa_routing.arn))
        api_domain = Fn.trimsuffix(Fn.replace(props.api_invoke_url, "https://", ""), props.api_origin_path)
        min_ttl, default_ttl, max_ttl = STATIC_TTL
        self.distribution = carry(CloudfrontDistribution(
            self, "Default",
            enabled=True,
            is_ipv6_enabled=True,
            comment=f"{naming.name()} Frontend Distribution",
            default_root_object="index.html",
            price_class=props.price_class,
            http_version="http2",
            origin=[  # a set: in the order plans show it
                CloudfrontDistributionOrigin(
                    domain_name=api_domain, origin_id=API_ORIGIN_ID, origin_path=props.api_origin_path,
                    custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
                        http_port=80, https_port=443, origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"])),
                CloudfrontDistributionOrigin(
                    domain_name=props.bucket_domain_name, origin_id=bucket_origin_id,
                    origin_access_control_id=props.origin_access_control_id,
                    # With an OAC the S3 origin still needs the block, with an empty identity.
                    s3_origin_config=CloudfrontDistributionOriginS3OriginConfig(
                        origin_access_identity=props.origin_access_identity_path)),
            ],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                allowed_methods=["GET", "HEAD", "OPTIONS"], cached_methods=READ_METHODS,
                target_origin_id=bucket_origin_id,
                forwarded_values=CloudfrontDistributionDefaultCacheBehaviorForwardedValues(
                    query_string=False,
                    cookies=CloudfrontDistributionDefaultCacheBehaviorForwardedValuesCookies(forward="none")),
                viewer_protocol_policy=props.viewer_protocol_policy,
                min_ttl=min_ttl, default_ttl=default_ttl, max_ttl=max_ttl,
                function_association=associations or None),
            ordered_cache_behavior=[CloudfrontDistributionOrderedCacheBehavior(
                path_pattern=API_PATH, allowed_methods=ALL_METHODS, cached_methods=READ_METHODS,
                target_origin_id=API_ORIGIN_ID,
                forwarded_values=CloudfrontDistributionOrderedCacheBehaviorForwardedValues(
                    query_string=True, headers=API_FORWARDED_HEADERS,
                    cookies=CloudfrontDistributionOrderedCacheBehaviorForwardedValuesCookies(forward="all")),
                viewer_protocol_policy=props.viewer_protocol_policy, min_ttl=0, default_ttl=0, max_ttl=0)],
            custom_error_response=[CloudfrontDistributionCustomErrorResponse(
                error_code=code, response_code=200, response_page_path="/index.html",
                error_caching_min_ttl=ERROR_CACHING_SECONDS) for code in SPA_ERROR_CODES],
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none",
                                                                                 locations=[])),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                cloudfront_default_certificate=True, ssl_support_method="sni-only",
                minimum_protocol_version=props.minimum_protocol_version),
            tags=naming.tags_for("cloudfront", Environment=naming.environment, Service="cloudfront",
                                 Purpose="frontend-cdn", ManagedBy="terraform"),
        ), "distribution")
        self.distribution_id = self.distribution.id
        self.domain_name = self.distribution.domain_name
