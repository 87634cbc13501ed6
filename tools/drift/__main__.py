"""`python -m tools.drift {config,live,plan} (--layer LAYER ... | --all) [options]`: see docs/drift.md."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.drift.config import ConfigError, load_configuration, stack_layers
from tools.drift.config_drift import check_config
from tools.drift.findings import LayerResult, overall_exit_code
from tools.drift.ignore import IgnoreFileError, apply, load_rules
from tools.drift.report import RENDERERS
from tools.drift.runner import run_layers
from tools.drift.state import S3_SOURCE, TIMEOUT_SECONDS, S3Options, load

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STACKS = ROOT / "cdktf.out" / "stacks"
DEFAULT_IGNORE = ROOT / ".driftignore"


class UsageError(Exception):
    pass


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m tools.drift", description="Drift of the synthesized stacks.")
    modes = main.add_subparsers(dest="mode", required=True)
    for mode, help_text in (("config", "state against the synthesized configuration (no terraform)"),
                            ("live", "state against the real resources (boto3)"),
                            ("plan", "terraform plan -refresh-only -detailed-exitcode per stack")):
        sub = modes.add_parser(mode, help=help_text)
        which = sub.add_mutually_exclusive_group(required=True)
        which.add_argument("--layer", action="append", help="a layer (repeatable)")
        which.add_argument("--all", action="store_true", help="every synthesized layer")
        sub.add_argument("--env", help="synthesize this environment into a scratch folder first")
        sub.add_argument("--stacks", type=Path, help=f"synthesized stacks folder (default {DEFAULT_STACKS.relative_to(ROOT)})")
        sub.add_argument("--state", default=S3_SOURCE,
                         help="'s3' (the stack's backend; default), a folder of <layer>.tfstate, or one state file")
        sub.add_argument("--profile", help="AWS profile for every AWS call")
        sub.add_argument("--endpoint-url", help="S3-compatible endpoint for the state objects")
        sub.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per AWS connection/read")
        sub.add_argument("--format", choices=sorted(RENDERERS), default="text")
        sub.add_argument("--ignore", type=Path, help=f"ignore file (default {DEFAULT_IGNORE.name} when it exists)")
        sub.add_argument("--jobs", type=int, default=4, help="layers checked in parallel")
        if mode == "live":
            sub.add_argument("--aws-endpoint-url", help="endpoint for the resource reads (a local AWS such as moto)")
            sub.add_argument("--no-unmanaged", action="store_true", help="skip the search for unmanaged resources")
        if mode == "plan":
            sub.add_argument("--changes", action="store_true", help="also run a normal plan (configuration changes)")
            sub.add_argument("--no-refresh", action="store_true",
                             help="plan with -refresh=false (offline, against the state as it is)")
    return main


def synthesize(env: str, outdir: Path) -> Path:
    environment = dict(os.environ, PETCLINIC_ENV=env, CDKTF_OUTDIR=str(outdir))
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise UsageError(f"synthesis of {env} failed: {lines[-1] if lines else done.returncode}")
    return outdir / "stacks"


def layers_of(args: argparse.Namespace, stacks: Path) -> list[str]:
    try:
        available = stack_layers(stacks)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if args.all:
        if not available:
            raise UsageError(f"no synthesized stack in {stacks}")
        return available
    # A layer that is not synthesized is still checked, and fails as that layer's error.
    return list(dict.fromkeys(args.layer))


def config_check(args: argparse.Namespace, stacks: Path, single: bool):
    options = S3Options(args.profile, args.endpoint_url, args.timeout)

    def check(layer: str) -> LayerResult:
        config = load_configuration(stacks / layer)
        state = load(args.state, layer, config.backend, options, single, config.local_state)
        return LayerResult(layer, "config", state.source, tuple(check_config(config, state)))

    return check


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        rules = load_rules(args.ignore or (DEFAULT_IGNORE if DEFAULT_IGNORE.is_file() else None))
        with tempfile.TemporaryDirectory(prefix="drift-") as scratch:
            stacks = args.stacks or (synthesize(args.env, Path(scratch) / "cdktf.out") if args.env else DEFAULT_STACKS)
            layers = layers_of(args, stacks)
            single = len(layers) == 1
            if args.mode == "config":
                check = config_check(args, stacks, single)
            elif args.mode == "live":
                from tools.drift.live.check import live_check
                check = live_check(args, stacks, single)
            else:
                from tools.drift.plan import PlanError, plan_check
                try:
                    check = plan_check(args, stacks, single)
                except PlanError as error:
                    raise UsageError(str(error)) from None

            def with_rules(layer: str) -> LayerResult:
                result = check(layer)
                return LayerResult(result.layer, result.mode, result.source,
                                   tuple(apply(rules, list(result.findings))), result.error, result.notes)

            results = run_layers(layers, args.mode, with_rules, jobs=args.jobs)
            if args.mode == "live" and args.all and not args.no_unmanaged:
                from tools.drift.live.check import UNMANAGED_LAYER
                unmanaged = run_layers([UNMANAGED_LAYER], "live", lambda _: check.unmanaged(layers))[0]
                results.append(LayerResult(unmanaged.layer, unmanaged.mode, unmanaged.source,
                                           tuple(apply(rules, list(unmanaged.findings))), unmanaged.error,
                                           unmanaged.notes, unmanaged.seconds))
    except (UsageError, IgnoreFileError) as error:
        print(f"drift: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(RENDERERS[args.format](args.mode, results))
    return overall_exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
