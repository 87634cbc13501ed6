"""Issue 31's last design switches, each way on the synthesized JSON: `staging` (profile to-be) has
them on, `dev` (as-deployed) has them off and keeps the deployed resources.

- `api_gateway.https_to_alb`: the HTTP integrations call the ALB's HTTPS listener at the name its
  certificate covers (an alias record 07 makes), not http://<ALB DNS name> (A44, A133);
- `notification.encrypted_topic`: the alerts topic encrypted with its own KMS key, which CloudWatch
  alarms may use (A133);
- `lambda_genai.private_egress`: the GenAI Lambda sends 3306 to Aurora's group and 443 to the VPC
  endpoints' group only, with bedrock-runtime and rds-data endpoints in 01 (A20).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from synthesis import synthesize
from tests.conftest import ROOT
from tests.helpers import policy, ref, resource, resources_of_type
from tools.stack_form import read_stack

API, APP, NOTE, GENAI, NET = "08-api-gateway", "07-application", "12-notification", "06-lambda-genai", "01-network"
ALB_DNS = "${data.terraform_remote_state.application.outputs.alb_dns_name}"
STAGING_HOST = "staging.petclinic.example.com"


def http_uris(stack: dict) -> list[str]:
    return [i["uri"] for i in resources_of_type(stack, "aws_api_gateway_integration").values()
            if i["type"] == "HTTP_PROXY"]


def envs_with(tmp_path: Path, env: str, edit) -> Path:
    """A copy of envs/ whose `<env>.toml` is `edit(text)`."""
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    path = envs / f"{env}.toml"
    path.write_text(edit(path.read_text()))
    return envs


def synth(tmp_path: Path, env: str, envs: Path) -> Path:
    outdir = tmp_path / "cdktf.out"
    synthesize(load_environment(env, envs_dir=envs), outdir)
    return outdir / "stacks"


# --- api_gateway.https_to_alb ------------------------------------------------------------------

def test_as_deployed_the_api_calls_the_alb_over_plain_http(synthesized):
    uris = http_uris(synthesized("dev").stack(API))
    assert uris and all(u.startswith(f"http://{ALB_DNS}") for u in uris)
    assert "aws_route53_record" not in (synthesized("dev").stack(APP).get("resource") or {})
    triggers = resource(synthesized("dev").stack(API), "aws_api_gateway_deployment.api_gateway_deployment")["triggers"]
    assert "alb_origin" not in triggers


def test_to_be_the_api_calls_the_alb_over_https_at_its_certificate_name(synthesized):
    uris = http_uris(synthesized("staging").stack(API))
    assert len(uris) == 16 and all(u.startswith(f"https://{STAGING_HOST}/") for u in uris)
    app = synthesized("staging").stack(APP)
    alias = resources_of_type(app, "aws_route53_record")["alb_alias_record"]
    assert (alias["name"], alias["type"], alias["zone_id"]) == (STAGING_HOST, "A", "Z0PLACEHOLDERSTAGING")
    assert alias["alias"]["name"] == ref("aws_lb.alb", "dns_name") and alias["alias"]["zone_id"] == ref("aws_lb.alb", "zone_id")
    # The certificate the HTTPS listener serves is issued for that very name.
    assert resource(app, "aws_acm_certificate.alb_certificate_certificate")["domain_name"] == STAGING_HOST
    triggers = resource(synthesized("staging").stack(API), "aws_api_gateway_deployment.api_gateway_deployment")["triggers"]
    assert triggers["alb_origin"] == f"https://{STAGING_HOST}"


def test_a_to_be_environment_may_turn_it_off(tmp_path):
    envs = envs_with(tmp_path, "staging", lambda t: t + "\n[api_gateway]\nhttps_to_alb = false\n"
                     if "\n[api_gateway]\n" not in t else t.replace("\n[api_gateway]\n", "\n[api_gateway]\nhttps_to_alb = false\n"))
    stacks = synth(tmp_path, "staging", envs)
    assert all(u.startswith(f"http://{ALB_DNS}") for u in http_uris(read_stack(stacks / API)))
    assert "alb_alias_record" not in resources_of_type(read_stack(stacks / APP), "aws_route53_record")


def test_turning_it_on_without_a_domain_names_the_file_and_the_field(tmp_path):
    envs = envs_with(tmp_path, "dev", lambda t: t + "\n[api_gateway]\nhttps_to_alb = true\n"
                     if "\n[api_gateway]\n" not in t else t.replace("\n[api_gateway]\n", "\n[api_gateway]\nhttps_to_alb = true\n"))
    with pytest.raises(ConfigError) as raised:
        load_environment("dev", envs_dir=envs)
    message = str(raised.value)
    assert re.match(r"^\S*dev\.toml: api_gateway\.https_to_alb: needs application\.alb\.domain_name", message)
    assert "\n" not in message.strip()


def test_a_to_be_environment_with_a_certificate_arn_only_must_say_so(tmp_path):
    arn = "arn:aws:acm:ap-northeast-1:111122223333:certificate/0a1b2c3d"

    def edit(text: str) -> str:
        text = re.sub(r"^(domain_name|hosted_zone_id) = .*$", "", text, flags=re.M)
        return text.replace("[application.alb]\n", f'[application.alb]\ncertificate_arn = "{arn}"\n')
    with pytest.raises(ConfigError, match=r"staging\.toml: api_gateway\.https_to_alb: .*or set it false"):
        load_environment("staging", envs_dir=envs_with(tmp_path, "staging", edit))


# --- notification.encrypted_topic --------------------------------------------------------------

def test_as_deployed_the_alerts_topic_is_not_encrypted(synthesized):
    note = synthesized("dev").stack(NOTE)
    assert "kms_master_key_id" not in resource(note, "aws_sns_topic.alerts")
    assert resources_of_type(note, "aws_kms_key") == {}


def test_to_be_the_alerts_topic_has_its_own_rotating_key_that_alarms_may_use(synthesized):
    note = synthesized("staging").stack(NOTE)
    assert resource(note, "aws_sns_topic.alerts")["kms_master_key_id"] == ref("aws_kms_key.alerts_key_key", "arn")
    key = resource(note, "aws_kms_key.alerts_key_key")
    assert key["enable_key_rotation"] is True
    statements = {s["Sid"]: s for s in policy(key["policy"])["Statement"]}
    publishers = statements["PublishersEncryptMessages"]
    assert publishers["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert sorted(publishers["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    alias = resource(note, "aws_kms_alias.alerts_key_alias")
    assert (alias["name"], alias["target_key_id"]) == ("alias/petclinic-staging-alerts-topic",
                                                       ref("aws_kms_key.alerts_key_key", "key_id"))


# --- lambda_genai.private_egress ---------------------------------------------------------------

def egress(stack: dict) -> dict[str, tuple]:
    return {name: (r["protocol"], r["from_port"], tuple(r.get("cidr_blocks") or ()), r.get("source_security_group_id"))
            for name, r in resources_of_type(stack, "aws_security_group_rule").items() if r["type"] == "egress"}


def endpoint_services(stack: dict) -> set[str]:
    return {e["service_name"].rsplit(".", 1)[1] if "bedrock" in e["service_name"] or "rds-data" in e["service_name"]
            else e["service_name"] for e in resources_of_type(stack, "aws_vpc_endpoint").values()}


def test_as_deployed_the_lambda_reaches_out_through_the_nat_gateways(synthesized):
    rules = egress(synthesized("dev").stack(GENAI))
    assert rules == {
        "genai_https_outbound": ("tcp", 443, ("0.0.0.0/0",), None),
        "genai_mysql_outbound": ("tcp", 3306, ("10.0.0.0/16",), None),
        "genai_dns_udp_outbound": ("udp", 53, ("0.0.0.0/0",), None),
        "genai_dns_tcp_outbound": ("tcp", 53, ("0.0.0.0/0",), None),
    }
    assert not {"bedrock-runtime", "rds-data"} & endpoint_services(synthesized("dev").stack(NET))


def test_to_be_the_lambda_sends_3306_to_aurora_and_443_to_the_endpoints_only(synthesized):
    assert egress(synthesized("staging").stack(GENAI)) == {
        "genai_mysql_to_aurora": ("tcp", 3306, (), "${data.terraform_remote_state.database.outputs.security_group_id}"),
        "genai_https_to_endpoints": ("tcp", 443, (), "${data.terraform_remote_state.network.outputs.vpce_security_group_id}"),
    }
    assert {"bedrock-runtime", "rds-data"} <= endpoint_services(synthesized("staging").stack(NET))


def test_the_switch_alone_brings_the_endpoints_it_needs(tmp_path):
    envs = envs_with(tmp_path, "dev", lambda t: t + "\n[lambda_genai]\nprivate_egress = true\n"
                     if "\n[lambda_genai]\n" not in t else t.replace("\n[lambda_genai]\n", "\n[lambda_genai]\nprivate_egress = true\n"))
    stacks = synth(tmp_path, "dev", envs)
    services = [e["service_name"] for e in resources_of_type(read_stack(stacks / NET), "aws_vpc_endpoint").values()]
    assert {"com.amazonaws.us-west-2.bedrock-runtime", "com.amazonaws.us-west-2.rds-data"} <= set(services)
    assert len(services) == len(set(services))
    assert set(egress(read_stack(stacks / GENAI))) == {"genai_mysql_to_aurora", "genai_https_to_endpoints"}


def test_a_bad_value_names_the_file_and_the_field(tmp_path):
    envs = envs_with(tmp_path, "dev", lambda t: t + '\n[lambda_genai]\nprivate_egress = "yes"\n'
                     if "\n[lambda_genai]\n" not in t else t.replace("\n[lambda_genai]\n", '\n[lambda_genai]\nprivate_egress = "yes"\n'))
    with pytest.raises(ConfigError, match=r"dev\.toml: lambda_genai\.private_egress: "):
        load_environment("dev", envs_dir=envs)
