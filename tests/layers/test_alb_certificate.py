"""HTTPS on the ALB (§5.1, §8.4): the certificate from a domain and a hosted zone, each way on the
synthesized 07-application, and the settings check of a to-be environment without a certificate."""
from __future__ import annotations

import re
import shutil

import pytest

from settings import ConfigError, load_environment
from tests.conftest import ROOT
from tests.helpers import ref, resources_of_type

LAYER = "07-application"


def test_as_deployed_there_is_no_certificate_and_port_80_forwards(synthesized):
    s = synthesized("dev").stack(LAYER)
    assert resources_of_type(s, "aws_acm_certificate") == {}
    assert [l["port"] for l in resources_of_type(s, "aws_lb_listener").values()] == [80]


def test_to_be_the_stack_requests_and_validates_the_certificate_the_listener_uses(synthesized):
    s = synthesized("staging").stack(LAYER)
    certificate = resources_of_type(s, "aws_acm_certificate")["alb_certificate_certificate"]
    assert (certificate["domain_name"], certificate["validation_method"]) == ("staging.petclinic.example.com", "DNS")
    record = resources_of_type(s, "aws_route53_record")["alb_certificate_validation"]
    assert record["zone_id"] == "Z0PLACEHOLDERSTAGING"
    assert "domain_validation_options" in record["name"]
    validation = resources_of_type(s, "aws_acm_certificate_validation")["alb_certificate_validated"]
    assert validation["validation_record_fqdns"] == [ref("aws_route53_record.alb_certificate_validation", "fqdn")]
    https = resources_of_type(s, "aws_lb_listener")["alb_https"]
    assert https["certificate_arn"] == ref("aws_acm_certificate_validation.alb_certificate_validated", "certificate_arn")
    assert https["ssl_policy"].startswith("ELBSecurityPolicy-TLS13-1-2")


def _staging_without(tmp_path, drop: str):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    staging = envs / "staging.toml"
    staging.write_text(re.sub(drop, "", staging.read_text(), flags=re.M))
    return envs


def test_a_to_be_environment_without_a_certificate_fails_naming_both_fields(tmp_path):
    envs = _staging_without(tmp_path, r"^(domain_name|hosted_zone_id) = .*$")
    with pytest.raises(ConfigError) as raised:
        load_environment("staging", envs_dir=envs)
    message = str(raised.value)
    assert "staging.toml" in message and "\n" not in message.strip()
    assert "application.alb.certificate_arn" in message and "application.alb.domain_name" in message


def test_a_domain_without_its_zone_names_the_missing_field(tmp_path):
    envs = _staging_without(tmp_path, r"^hosted_zone_id = .*$")
    with pytest.raises(ConfigError, match=r"staging\.toml: application\.alb\.hosted_zone_id"):
        load_environment("staging", envs_dir=envs)
