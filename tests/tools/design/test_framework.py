"""The framework of tools.design: the catalogue's data rules, the stacks reader (remote state
followed across layers), the registry's coverage of the catalogue, and evaluate's statuses."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tools.design.catalogue import CatalogueError, Claim, load_catalogue
from tools.design.checks import check, registered
from tools.design.checks.primitives import MISSING, added, attribute, changed, every, expect, fixture, remote_state, without
from tools.design.evaluate import CHECK_RAISED, evaluate
from tools.design.stacks import Block, Stacks, StacksError
from tools.design.verdict import Verdict, combine

GOOD = '''[[claim]]
id = "A01"
section = "3.1"
claim = "The VPC CIDR is 10.0.0.0/16"
original = "VPC CIDR: 10.0.0.0/16 (IPv4)"
check = "every aws_vpc"
scope = "terraform"
'''


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_catalogue_loads_sorted_with_unique_ids() -> None:
    claims = load_catalogue()
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=lambda i: (i[0], int(i[1:])))
    assert all(c.original and c.claim and c.check for c in claims)


@pytest.mark.parametrize(("text", "field"), [
    (GOOD.replace('section = "3.1"\n', ""), "claim[0] (A01).section: is missing"),
    (GOOD.replace('"terraform"', '"maybe"'), "claim[0] (A01).scope: 'maybe' is neither"),
    (GOOD.replace('"terraform"', '"out-of-scope"'), "claim[0] (A01).reason: an out-of-scope claim needs"),
    (GOOD.replace('"A01"', '"X1"'), "claim[0] (X1).id: 'X1' is not"),
    (GOOD + 'not_in_regions = ["Oregon"]\n', "claim[0] (A01).not_in_regions: 'Oregon' is not an AWS region"),
    (GOOD + 'colour = "red"\n', "claim[0] (A01).colour: unknown field"),
    (GOOD + GOOD, "A01.id: also defined in"),
    ("[[claim]\n", "not valid TOML"),
])
def test_bad_claim_data_is_one_line_naming_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    folder = write(tmp_path / "claims", "s03.toml", text)
    with pytest.raises(CatalogueError) as error:
        load_catalogue(folder)
    message = str(error.value)
    assert "\n" not in message and "s03.toml" in message and field in message


def test_an_id_in_two_files_names_both(tmp_path: Path) -> None:
    folder = write(write(tmp_path / "claims", "a.toml", GOOD), "b.toml", GOOD)
    with pytest.raises(CatalogueError, match=r"b\.toml: A01\.id: also defined in .*a\.toml"):
        load_catalogue(folder)


def test_every_claim_in_scope_has_a_check_and_every_check_a_claim() -> None:
    in_scope = {c.id for c in load_catalogue() if c.scope == "terraform"}
    checks = set(registered())
    assert sorted(in_scope - checks) == [], "claims in scope without a check"
    assert sorted(checks - {c.id for c in load_catalogue()}) == [], "checks without a claim"
    assert sorted(checks - in_scope) == [], "checks of out-of-scope claims"


def test_a_check_needs_fixtures_both_ways() -> None:
    with pytest.raises(ValueError, match="Z99: needs at least one passing and one failing"):
        check("Z99", passing=[{}], failing=[])


def test_combine_never_passes_on_nothing() -> None:
    assert combine([]).status == "fail"
    assert combine([Verdict("pass", "a"), Verdict("unknown", "b")]) == Verdict("unknown", "b")
    assert combine([Verdict("unknown", "b"), Verdict("fail", "c")]) == Verdict("fail", "c")


def test_stacks_follow_a_remote_state_output_to_the_producing_resource() -> None:
    stacks = Stacks(fixture(
        ("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}),
        ("01-network", "output.vpc_id", "${aws_vpc.vpc.id}"),
        remote_state("07-application", "network", "01-network"),
        ("07-application", "aws_lb.alb", {"vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"})))
    reference = stacks.resources("aws_lb")[0].body["vpc"]
    assert stacks.remote_output("07-application", reference).where == "01-network output.vpc_id"
    assert stacks.follow("07-application", reference).where == "01-network aws_vpc.vpc"
    assert stacks.follow("07-application", "${data.terraform_remote_state.nowhere.outputs.vpc_id}") is None
    assert stacks.follow("07-application", "10.0.0.0/16") is None


def test_stacks_load_reads_every_layer_and_names_a_bad_file(tmp_path: Path) -> None:
    for layer in ("01-network", "02-security"):
        (tmp_path / "stacks" / layer).mkdir(parents=True)
        (tmp_path / "stacks" / layer / "cdk.tf.json").write_text(json.dumps(
            {"provider": {"aws": [{"region": "us-west-2"}]}}))
    stacks = Stacks.load(tmp_path)
    assert stacks.layers == ("01-network", "02-security") and stacks.region() == "us-west-2"
    (tmp_path / "stacks" / "02-security" / "cdk.tf.json").write_text("{")
    with pytest.raises(StacksError, match=r"02-security/cdk\.tf\.json: cannot be read as JSON"):
        Stacks.load(tmp_path)
    with pytest.raises(StacksError, match="no <layer>/cdk.tf.json"):
        Stacks.load(tmp_path / "empty")


def claim(id_: str, **fields: object) -> Claim:
    base = dict(section="3.1", claim="c", original="o", check="k", scope="terraform")
    return Claim(id=id_, **{**base, **fields})  # type: ignore[arg-type]


def test_evaluate_gives_scope_applicability_and_a_missing_check_their_status() -> None:
    catalogue = (claim("A01"), claim("A02", not_in_regions=("ap-northeast-2",)), claim("A03", not_in_envs=("seoul",)),
                 claim("D999", scope="out-of-scope", reason="application code"), claim("D998"))
    stacks = Stacks(fixture(("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16",
                                                            "enable_dns_hostnames": True})))
    seoul = SimpleNamespace(name="seoul", region="ap-northeast-2")
    verdicts = evaluate(stacks, seoul, catalogue=catalogue)
    assert {k: v.status for k, v in verdicts.items()} == {
        "A01": "pass", "A02": "not-applicable", "A03": "not-applicable", "D999": "out-of-scope", "D998": "unknown"}
    assert verdicts["D999"].evidence == "application code"
    assert evaluate(stacks, seoul, only=["A01"], catalogue=catalogue).keys() == {"A01"}
    broken = Stacks({"01-network": {"resource": {"aws_vpc": ["not a map of blocks"]}}})
    assert evaluate(broken, seoul, only=["A01"], catalogue=catalogue)["A01"].evidence.startswith(
        f"{CHECK_RAISED} AttributeError")
    with pytest.raises(KeyError, match="unknown claim id A77"):
        evaluate(stacks, seoul, only=["A77"], catalogue=catalogue)


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_every_claim_gets_a_verdict_on_the_real_synthesis(synthesized, env: str) -> None:
    from settings import load_environment
    verdicts = evaluate(Stacks.load(synthesized(env).outdir), load_environment(env))
    assert set(verdicts) == {c.id for c in load_catalogue()}
    assert [i for i, v in verdicts.items() if v.evidence.startswith(CHECK_RAISED)] == []
    assert verdicts["A01"] == {  # staging keeps its own /16: the claim's not_in_envs
        "dev": Verdict("pass", "01-network aws_vpc.vpc cidr_block = 10.0.0.0/16"),
        "staging": Verdict("not-applicable", "the claim does not apply to the environment staging")}[env]
    assert verdicts["A02"].status == {"dev": "pass", "staging": "not-applicable"}[env]  # Tokyo


def test_attribute_reads_cdktf_blocks_as_object_or_one_item_list() -> None:
    body = {"health_check": {"path": "/h"}, "default_action": [{"redirect": [{"port": "443"}]}], "n": 0}
    assert attribute(body, "health_check.path") == "/h"
    assert attribute(body, "health_check.0.path") == "/h"
    assert attribute(body, "default_action.redirect.port") == "443"
    assert attribute(body, "n") == 0
    assert attribute(body, "default_action.1") is MISSING and not MISSING


def test_expect_names_the_address_and_value_and_waits_for_apply_time_values() -> None:
    block = Block("07-application", "aws_lb.alb", {"internal": False, "name": "${var.name}"})
    assert expect(block, "internal", False) == Verdict("pass", "07-application aws_lb.alb internal = false")
    assert expect(block, "idle_timeout", 60, absent_means=60).evidence.endswith("idle_timeout = (not set: 60)")
    assert expect(block, "internal", True).evidence == "07-application aws_lb.alb internal = false, expected true"
    assert expect(block, "name", "alb").status == "unknown"


def test_every_needs_what_it_judges() -> None:
    assert every([], "ECS services", lambda b: Verdict("pass", "x")) == Verdict(
        "fail", "found 0 ECS services, expected at least 1")
    two = [Block("l", "t.a", {}), Block("l", "t.b", {})]
    assert every(two, "t", lambda b: Verdict("pass", b.name), at_least=3).status == "fail"
    assert every(two, "t", lambda b: Verdict("pass", b.name)) == Verdict("pass", "a; b")


def test_refs_follow_a_keyed_remote_output_and_keep_the_attribute() -> None:
    stacks = Stacks(fixture(
        ("05-cloud-map", "aws_service_discovery_service.admin", {"name": "admin"}),
        ("05-cloud-map", "aws_service_discovery_service.vets", {"name": "vets"}),
        ("05-cloud-map", "output.service_arns", {"admin": "${aws_service_discovery_service.admin.arn}",
                                                 "vets": "${aws_service_discovery_service.vets.arn}"}),
        remote_state("07-application", "cloud_map", "05-cloud-map")))
    refs = stacks.refs("07-application", '${data.terraform_remote_state.cloud_map.outputs.service_arns["admin"]}')
    assert [(r.block.where, r.attribute) for r in refs] == [("05-cloud-map aws_service_discovery_service.admin", "arn")]
    assert len(stacks.refs("07-application", "${values(data.terraform_remote_state.cloud_map.outputs.service_arns)}")) == 2


def test_fixture_helpers_change_add_and_remove_blocks_without_touching_the_base() -> None:
    base = fixture(("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))
    assert changed(base, "01-network", "aws_vpc.vpc", cidr_block=None) == {"01-network": {"resource": {"aws_vpc": {"vpc": {}}}}}
    assert set(added(base, ("01-network", "aws_subnet.a", {}))["01-network"]["resource"]) == {"aws_vpc", "aws_subnet"}
    assert without(base, "01-network", "aws_vpc.vpc") == {"01-network": {"resource": {"aws_vpc": {}}}}
    assert base == fixture(("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))


def test_claims_name_only_known_environments() -> None:
    from settings import known_environments
    named = {env for claim in load_catalogue() for env in claim.not_in_envs}
    assert named and named <= set(known_environments())
