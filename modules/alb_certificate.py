"""An ACM certificate for the ALB's HTTPS listener (§5.1, §8.4), requested for a domain and
validated through DNS in a Route 53 hosted zone: the certificate, its validation record and the
validation resource, whose `certificate_arn` is ready only once ACM has issued the certificate (so
the listener is created after that)."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from constructs import Construct

from modules.naming import Naming
from modules.origin import created

NEW = "the design's HTTPS listener needs a certificate (§5.1); the original had none"


@dataclass(frozen=True)
class AlbCertificateProps:
    naming: Naming
    domain_name: str
    hosted_zone_id: str


class AlbCertificate(Construct):
    def __init__(self, scope: Construct, id: str, props: AlbCertificateProps):
        super().__init__(scope, id)
        self.certificate = created(AcmCertificate(
            self, "certificate",
            domain_name=props.domain_name,
            validation_method="DNS",
            tags=props.naming.tags_for("alb-certificate"),
            # A replacement must exist before the listener lets go of the old one.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        ), NEW)
        # One domain, so one validation option: domain_validation_options is a set, hence tolist().
        option = f"tolist({self.certificate.fqn}.domain_validation_options)[0]"
        self.record = created(Route53Record(
            self, "validation",
            zone_id=props.hosted_zone_id,
            name=f"${{{option}.resource_record_name}}",
            type=f"${{{option}.resource_record_type}}",
            records=[f"${{{option}.resource_record_value}}"],
            ttl=60,
            allow_overwrite=True,
        ), NEW)
        self.validation = created(AcmCertificateValidation(
            self, "validated",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[self.record.fqdn],
        ), NEW)

    @property
    def arn(self) -> str:
        """The certificate's ARN once it is issued."""
        return self.validation.certificate_arn
