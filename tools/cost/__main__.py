"""`python -m tools.cost [--env ENV | --all | --stacks DIR] [--layer L] [--format text|json|markdown]
[--usage FILE] [--compare DIR | --compare-ref REF | --profile PROFILE]`: see docs/cost.md."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tools.cost.charges import Unpriced
from tools.cost.compare import difference_markdown, side_by_side_markdown
from tools.cost.data import DataError
from tools.cost.estimate import Estimate, estimate_folder
from tools.cost.render import RENDERERS
from tools.cost.stacks import StackError
from tools.cost.synth import ROOT, SynthError, scratch_folder, synthesize, synthesize_profile, synthesize_ref

DEFAULT_STACKS = ROOT / "cdktf.out" / "stacks"
ENVIRONMENTS = ("dev", "seoul", "staging", "prod")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m tools.cost", description="Monthly cost of the synthesized stacks.")
    which = main.add_mutually_exclusive_group()
    which.add_argument("--env", choices=ENVIRONMENTS, help="synthesize this environment into a scratch folder first")
    which.add_argument("--all", action="store_true", help="every environment, each synthesized into a scratch folder")
    which.add_argument("--stacks", type=Path,
                       help=f"a synthesized stacks folder (default {DEFAULT_STACKS.relative_to(ROOT)})")
    main.add_argument("--usage-env", help="the usage file's environment for --stacks (default $PETCLINIC_ENV or dev)")
    main.add_argument("--layer", help="one layer only")
    main.add_argument("--format", choices=sorted(RENDERERS), default="text")
    main.add_argument("--usage", type=Path, help="a usage file merged over the environment's (tools/cost/data/usage/)")
    other = main.add_mutually_exclusive_group()
    other.add_argument("--compare", type=Path, metavar="OTHER_STACKS_DIR",
                       help="difference per resource against these stacks")
    other.add_argument("--compare-ref", metavar="GIT_REF",
                       help="difference per resource against this git ref's synthesis")
    other.add_argument("--profile", help="the environment under this design profile beside its own settings, per layer")
    return main


def _estimate(folder: Path, env: str, args: argparse.Namespace) -> Estimate:
    return estimate_folder(folder, env, args.usage, args.layer)


def run(args: argparse.Namespace) -> str:
    envs = ENVIRONMENTS if args.all else (args.env or args.usage_env or os.environ.get("PETCLINIC_ENV", "dev"),)
    out = []
    for env in envs:
        with scratch_folder() as scratch:
            scratch = Path(scratch)
            if args.env or args.all:
                folder = synthesize(env, scratch / "own")
            else:
                folder = args.stacks or DEFAULT_STACKS
            estimate = _estimate(folder, env, args)
            if args.compare or args.compare_ref:
                other = args.compare or synthesize_ref(args.compare_ref, env, scratch / "ref")
                before = _estimate(other, env, args)
                label = str(args.compare) if args.compare else args.compare_ref
                own = f"{env} synthesized here" if (args.env or args.all) else str(folder)
                out.append(difference_markdown(before, estimate, label, own))
            elif args.profile:
                to_be = _estimate(synthesize_profile(env, args.profile, scratch), env, args)
                out.append(side_by_side_markdown(estimate, to_be))
            else:
                out.append(RENDERERS[args.format](estimate))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        sys.stdout.write(run(args))
    except (DataError, StackError, SynthError, Unpriced) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
