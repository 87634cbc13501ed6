"""`python -m tools.design`: the design document's claims, measured on the synthesized stacks.

    python -m tools.design [--env ENV | --all] [--format text|json|markdown] [--claim ID ...] [--explain ID]
    python -m tools.design --ladder --env ENV [--state SOURCE] [--format ...]
    python -m tools.design --write-docs          # regenerates docs/design.md

Exit codes: 0 when every `to-be` environment passes every claim that applies to it; 1 when one
fails or cannot decide such a claim, and for bad input (one line on stderr).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from settings import ConfigError, known_environments
from settings.profile import ProfileError, load_switches
from tools.design.catalogue import CatalogueError
from settings.load import envs_dir_from_environment
from tools.design.measure import Toolkit, default_toolkit, measure
from tools.design.report import RENDERERS, explain
from tools.design.synthesis import SynthesisFailed, variant

ROOT = Path(__file__).resolve().parents[2]
DOCS_PAGE = ROOT / "docs" / "design.md"


class UsageError(Exception):
    pass


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.design", description="The design document as checks.")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--env", help="one environment (default: every environment)")
    which.add_argument("--all", action="store_true", help="every environment (the default)")
    p.add_argument("--format", choices=sorted(RENDERERS), default="text")
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--explain", metavar="ID", help="one claim in full: the document's words, the check, the verdicts")
    p.add_argument("--stacks", type=Path, help="read this synthesized stacks folder instead (with --env)")
    p.add_argument("--ladder", action="store_true", help="the steps from the environment to the to-be profile")
    p.add_argument("--state", default="s3", help="ladder: 's3' (default), a folder of <layer>.tfstate, or a file")
    p.add_argument("--write-docs", action="store_true", help=f"regenerate {DOCS_PAGE.relative_to(ROOT)}")
    return p


def _env_names(args: argparse.Namespace) -> list[str]:
    known = known_environments(envs_dir_from_environment())
    if args.env is None:
        return ["dev", "seoul", "staging", "prod"] if set(known) == {"dev", "seoul", "staging", "prod"} else known
    if args.env not in known:
        raise UsageError(f"--env: unknown environment {args.env!r}; known: {', '.join(known)}")
    return [args.env]


def _check_claims(ids: Sequence[str], catalogue: Sequence, option: str) -> None:
    known = {c.id for c in catalogue}
    for claim_id in ids:
        if claim_id not in known:
            raise UsageError(f"{option}: unknown claim {claim_id!r}; the catalogue has {len(known)} claims "
                             f"({min(known, default='-')} .. {max(known, default='-')})")


def run(args: argparse.Namespace, toolkit: Toolkit) -> tuple[str, int]:
    if args.stacks and not args.env:
        raise UsageError("--stacks: needs --env (the environment the stacks were synthesized for)")
    names = _env_names(args)
    switches = load_switches(envs_dir_from_environment())
    if args.ladder:
        if not args.env:
            raise UsageError("--ladder: needs --env ENV (the environment to walk to the design)")
        from tools.design.ladder import build_ladder
        from tools.design.ladder_report import LADDER_RENDERERS
        ladder = build_ladder(args.env, args.state, toolkit, switches)
        return LADDER_RENDERERS[args.format](ladder), 0
    catalogue = toolkit.load_catalogue()
    if args.write_docs:
        from tools.design.docs import render_page
        DOCS_PAGE.write_text(render_page(toolkit, switches))
        return f"wrote {DOCS_PAGE.relative_to(ROOT)}\n", 0
    only = list(args.claim) if args.claim else None
    if args.explain:
        only = [args.explain]
    _check_claims(only or (), catalogue, "--explain" if args.explain else "--claim")
    envs = [variant(name) for name in names]
    matrix = measure(envs, toolkit, only, {args.env: args.stacks} if args.stacks else None)
    if args.explain:
        claim = next(c for c in matrix.claims if c.id == args.explain)
        return explain(matrix, claim, switches, "json" if args.format == "json" else "text"), matrix.exit_code
    return RENDERERS[args.format](matrix, switches), matrix.exit_code


def main(argv: Sequence[str] | None = None, toolkit: Toolkit | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        output, code = run(args, toolkit or default_toolkit())
    except (UsageError, ConfigError, ProfileError, CatalogueError, SynthesisFailed) as error:
        print(f"design: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(output)
    return code
