"""`python -m tools.e2e [--env dev] [--layers L ...] [--parallel N] [--workdir DIR] [--report FILE] [--json FILE]`
`python -m tools.e2e --env dev --ladder [--accept-data-loss] [--ladder-steps N]` (tools/e2e/ladder_run.py)

Applies every synthesized stack of one environment into a moto server on 127.0.0.1, plans them all
again, tampers with three objects and plans once more. Prints the report (Markdown). Exit 0 when every
layer applied, every second plan had no changes and every tamper case was caught; 1 otherwise; 2 when
terraform or the provider mirror is missing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from tools.e2e.drift import ROOT as DRIFT_ROOT
from tools.e2e.report import as_json, markdown, verdict
from tools.e2e.run import PARALLEL, Run
from tools.e2e.terraform import find_mirror, local_only_environment, terraform_version, which_terraform

BUDGET_SECONDS = 14 * 60
LADDER_BUDGET_SECONDS = 80 * 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.e2e", description=__doc__.splitlines()[0])
    parser.add_argument("--env", default=os.environ.get("PETCLINIC_ENV") or "dev")
    parser.add_argument("--layers", nargs="*", help="only these layers (default: every synthesized stack)")
    parser.add_argument("--workdir", type=Path, help="keep the scratch folder here (default: a temporary one)")
    parser.add_argument("--report", type=Path, help="also write the Markdown report to this file")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument("--budget", type=float, help=f"seconds for the whole run (default {BUDGET_SECONDS}; "
                        f"{LADDER_BUDGET_SECONDS} with --ladder)")
    parser.add_argument("--ladder", action="store_true",
                        help="after the deploy, climb the environment's ladder one applied step at a time")
    parser.add_argument("--accept-data-loss", action="store_true", help="--ladder: apply the steps that lose data too")
    parser.add_argument("--ladder-steps", type=int, help="--ladder: apply at most this many steps")
    parser.add_argument("--parallel", type=int, default=PARALLEL,
                        help="steps applied at most at the same time (each waits for the layers it reads)")
    parser.add_argument("--drift-root", type=Path, default=DRIFT_ROOT,
                        help="the checkout whose `python -m tools.drift` runs (default: this one)")
    args = parser.parse_args(argv)
    if args.parallel < 1:
        print(f"--parallel: must be at least 1 (got {args.parallel})", file=sys.stderr)
        return 2
    binary, mirror = which_terraform(), find_mirror()
    if binary is None or mirror is None:
        print("needs terraform on PATH and a filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR)", file=sys.stderr)
        return 2
    # This process (boto3 for the state bucket and the tampering) sees what its subprocesses see: fake
    # credentials, no AWS configuration, and proxies that refuse every host but 127.0.0.1.
    local = local_only_environment()
    os.environ.clear()
    os.environ.update(local)
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="petclinic-e2e-"))
    scratch.mkdir(parents=True, exist_ok=True)
    budget = args.budget or (LADDER_BUDGET_SECONDS if args.ladder else BUDGET_SECONDS)
    common = (args.env, scratch.resolve(), binary, mirror, terraform_version(binary), budget, args.layers,
              args.drift_root.resolve(), args.parallel)
    if args.ladder:
        from tools.e2e import ladder_report
        from tools.e2e.ladder_run import LadderRun
        run: Run = LadderRun(*common, accept_data_loss=args.accept_data_loss, ladder_steps=args.ladder_steps)
    else:
        run = Run(*common)
    try:
        report = run.execute()
    except Exception as error:  # the report says what ran before the failure
        report = run.report
        report.error = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    text, data = markdown(report), as_json(report)
    code, reasons = verdict(report)
    if args.ladder:   # the ladder replaces the tamper cases and adds its own verdict
        assert isinstance(run, LadderRun)
        text += "\n" + ladder_report.markdown(run.ladder)
        data = f'{{"run": {data}, "ladder": {ladder_report.as_json(run.ladder)}}}'
        reasons = [r for r in reasons if r != "no tamper case could run"] + ladder_report.verdict(run.ladder)
        code = 1 if reasons else 0
    print(text)
    if args.report:
        args.report.write_text(text)
    if args.json:
        args.json.write_text(data + "\n")
    for reason in reasons:
        print(f"FAIL: {reason}", file=sys.stderr)
    if args.workdir is None:
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        print(f"scratch kept in {scratch}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


if __name__ == "__main__":
    os._exit(main())  # skip the interpreter's teardown of the cdktf bindings (as main.py does)
