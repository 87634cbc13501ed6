"""`python -m tools.design`: claims x environments, counts, --explain, exit codes and bad input.

Most cases run the CLI on a tiny fake catalogue and fake checks (no synthesis); the last ones run it
on the real synthesized dev to show it reads real output."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.design.cli import main
from tools.design.measure import Toolkit
from tools.design.verdict import Verdict


@dataclass(frozen=True)
class FakeClaim:
    id: str
    section: str = "5.1"
    claim: str = "a claim"
    original: str = "문서의 말"
    check: str = "reads something"
    scope: str = "terraform"
    reason: str = ""
    not_in_envs: tuple[str, ...] = ()
    not_in_regions: tuple[str, ...] = ()
    reading: str = ""
    switch: str = ""


def toolkit(statuses: dict[str, dict[str, str]]) -> Toolkit:
    """statuses: env -> claim id -> status; the fake check's evidence names both."""
    claims = tuple(FakeClaim(cid) for cid in sorted({c for by_env in statuses.values() for c in by_env}))

    def evaluate(stacks, env, only=None):
        return {cid: Verdict(status, f"{env.name}: evidence for {cid}")
                for cid, status in statuses[env.name].items() if only is None or cid in only}

    return Toolkit(lambda: claims, lambda folder: folder, evaluate, lambda env, outdir: outdir)


ALL_PASS = {env: {"A01": "pass", "A37": "pass"} for env in ("dev", "seoul", "staging", "prod")}


def run(capsys, argv, statuses) -> tuple[int, str, str]:
    code = main(argv, toolkit(statuses))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_environment_passing_exits_0_with_counts(capsys):
    code, out, _ = run(capsys, [], ALL_PASS)
    assert code == 0
    for env, profile in (("dev", "as-deployed"), ("seoul", "as-deployed"), ("staging", "to-be"), ("prod", "to-be")):
        assert any(line.split()[:3] == [env, profile, "2"] for line in out.splitlines()), out


@pytest.mark.parametrize("env,status,code", [("staging", "fail", 1), ("prod", "unknown", 1), ("dev", "fail", 0),
                                             ("seoul", "unknown", 0), ("prod", "not-applicable", 0),
                                             ("staging", "out-of-scope", 0)])
def test_exit_1_only_when_a_to_be_environment_fails_or_cannot_decide(capsys, env, status, code):
    statuses = {e: dict(v) for e, v in ALL_PASS.items()}
    statuses[env]["A37"] = status
    assert run(capsys, [], statuses)[0] == code


def test_json_has_a_verdict_per_claim_and_environment(capsys):
    statuses = {e: dict(v) for e, v in ALL_PASS.items()}
    statuses["staging"]["A37"] = "fail"
    code, out, _ = run(capsys, ["--format", "json"], statuses)
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1
    assert data["environments"]["staging"]["verdicts"]["A37"] == {"status": "fail",
                                                                  "evidence": "staging: evidence for A37"}
    assert data["environments"]["staging"]["blocking"] == ["A37"]
    assert data["environments"]["dev"]["counts"]["pass"] == 2


def test_markdown_is_a_table_with_one_row_per_claim(capsys):
    _, out, _ = run(capsys, ["--format", "markdown", "--env", "dev"], ALL_PASS)
    rows = [line for line in out.splitlines() if line.startswith("| A")]
    assert [r.split(" | ")[0] for r in rows] == ["| A01", "| A37"]


def test_claim_restricts_the_measure(capsys):
    code, out, _ = run(capsys, ["--env", "dev", "--claim", "A37", "--format", "json"], ALL_PASS)
    assert list(json.loads(out)["environments"]["dev"]["verdicts"]) == ["A37"]


def test_explain_shows_the_words_the_switch_and_the_evidence(capsys):
    statuses = {e: dict(v) for e, v in ALL_PASS.items()}
    statuses["dev"]["A37"] = "fail"
    code, out, _ = run(capsys, ["--explain", "A37"], statuses)
    assert "문서의 말" in out
    assert "switch: application.alb.certificate_arn (to-be: not in the profile" in out
    assert "dev (as-deployed): fail: dev: evidence for A37" in out
    assert code == 0


@pytest.mark.parametrize("argv,message", [
    (["--env", "qa"], "design: --env: unknown environment 'qa'; known: dev, prod, seoul, staging"),
    (["--claim", "A999"], "design: --claim: unknown claim 'A999'"),
    (["--explain", "Z1"], "design: --explain: unknown claim 'Z1'"),
    (["--stacks", "somewhere"], "design: --stacks: needs --env"),
    (["--ladder"], "design: --ladder: needs --env ENV"),
])
def test_bad_input_is_one_line_and_exit_1(capsys, argv, message):
    code, out, err = run(capsys, argv, ALL_PASS)
    assert code == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_a_bad_environment_file_is_one_line(capsys, tmp_path, monkeypatch):
    import shutil
    from tests.conftest import ROOT
    shutil.copytree(ROOT / "envs", tmp_path / "envs")
    path = tmp_path / "envs" / "prod.toml"
    path.write_text(path.read_text().replace('profile = "to-be"', 'profile = "tobe"'))
    monkeypatch.setenv("PETCLINIC_ENVS_DIR", str(tmp_path / "envs"))
    code, _, err = run(capsys, [], ALL_PASS)
    assert code == 1 and err.count("\n") == 1
    assert "prod.toml: profile: unknown profile 'tobe'" in err


def test_reads_the_real_synthesized_dev(capsys, synthesized):
    """The real catalogue and checks on the real dev output: A01 (the VPC CIDR) passes with its address."""
    stacks = synthesized("dev").outdir / "stacks"
    code = main(["--env", "dev", "--stacks", str(stacks), "--explain", "A01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "dev (as-deployed): pass: 01-network aws_vpc." in out and "10.0.0.0/16" in out


def test_a_to_be_environment_is_measured_from_its_own_synthesis(capsys, synthesized):
    stacks = synthesized("staging").outdir / "stacks"
    main(["--env", "staging", "--stacks", str(stacks), "--format", "json"])
    data = json.loads(capsys.readouterr().out)["environments"]["staging"]
    assert data["profile"] == "to-be"
    assert sum(data["counts"].values()) == len(data["verdicts"]) > 0


def test_a_failed_synthesis_is_one_line(capsys):
    from tools.design.synthesis import SynthesisFailed

    def broken(env, outdir):
        raise SynthesisFailed(f"synthesis of {env.name} failed: 07-application: something is wrong")

    fake = toolkit(ALL_PASS)
    code = main(["--env", "prod"], Toolkit(fake.load_catalogue, fake.load_stacks, fake.evaluate, broken))
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == "design: synthesis of prod failed: 07-application: something is wrong\n"
