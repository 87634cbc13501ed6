"""A Route 53 alias record that names the ALB: the host name its certificate is issued for, so that
a client that verifies the certificate (API Gateway's HTTPS integrations) can call it by that name."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from constructs import Construct

from modules.origin import created

NEW = "API Gateway calls the ALB over HTTPS at a name its certificate covers (A44, A133); the original called its DNS name over HTTP"


@dataclass(frozen=True)
class AlbAliasProps:
    hosted_zone_id: str
    name: str               # the fully qualified name, covered by the ALB's certificate
    alb_dns_name: str
    alb_zone_id: str


class AlbAlias(Construct):
    def __init__(self, scope: Construct, id: str, props: AlbAliasProps):
        super().__init__(scope, id)
        self.record = created(Route53Record(
            self, "record",
            zone_id=props.hosted_zone_id,
            name=props.name,
            type="A",
            alias=Route53RecordAlias(name=props.alb_dns_name, zone_id=props.alb_zone_id,
                                     evaluate_target_health=True),
        ), NEW)

    @property
    def fqdn(self) -> str:
        return self.record.fqdn
