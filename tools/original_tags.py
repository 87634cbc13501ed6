"""Write `tests/fixtures/original_tags/<env>/<layer>.json`: the tags the original code gives each
instance of the layers whose tags hold `timestamp()` (01-network's `CreatedAt`, 02-security's
`Timestamp`), which the reference plans cannot show (a map with an unknown value is unknown whole).

usage: python tools/original_tags.py ORIGINAL_GIT_DIR
  ORIGINAL_GIT_DIR  a git directory of hyh528/PetClinic-AWS-Migration holding commit e682a489
                    (the search tool's `fetch` brings one to /work/.mirror/.../repo)

It plans the original layer the way the reference plans were made (a scratch copy, terraform, the
mirrored aws provider, a local moto server, fabricated remote states), with `timestamp()` fixed to
TIMESTAMP, and records each instance's `tags` and `tags_all`. Only values are written (facts of the
original), never its code. Needs terraform, the provider mirror and moto, like plan_compare.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_TOOLS = ROOT.parent / "shared" / "tools"
FAKE_STATES = ROOT.parent / "shared" / "reference" / "plans"
OUT = ROOT / "tests" / "fixtures" / "original_tags"
COMMIT = "e682a489"
TIMESTAMP = "2000-01-01T00:00:00Z"
# (tree, environment of the reference plans, variable file, layer)
CASES = [
    ("terraform", "dev", "dev.tfvars", "01-network"),
    ("terraform", "dev", "dev.tfvars", "02-security"),
    ("terraform-seoul", "seoul", "seoul.tfvars", "01-network"),
    ("terraform-seoul", "seoul", "seoul.tfvars", "02-security"),
]


def extract(git_dir: str, tree: str, into: Path) -> None:
    archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", COMMIT, tree], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def neutralise(tree: Path) -> None:
    """The smallest changes that let the original plan here, as the reference plans made them."""
    for path in tree.rglob("*.tf"):
        text = path.read_text()
        fixed = text.replace("timestamp()", json.dumps(TIMESTAMP))
        # The installed terraform (1.11) and provider mirror (5.x) are older than the original asks for.
        fixed = re.sub(r'required_version\s*=\s*"[^"]*"', 'required_version = ">= 1.0"', fixed)
        fixed = re.sub(r'version\s*=\s*"~> 6\.0"', 'version = ">= 5.0"', fixed)
        # random_id needs the random provider: its only use is a name no resource takes.
        fixed = re.sub(r'resource "random_id" "bucket_suffix" \{[^}]*\}', "", fixed)
        fixed = fixed.replace("${random_id.bucket_suffix.hex}", "a1b2c3d4")
        # The Seoul tree's modules reject its own environment label "seoul-dev".
        fixed = fixed.replace('"testing"], var.environment)', '"testing", "seoul-dev"], var.environment)')
        if fixed != text:
            path.write_text(fixed)


def override(layer_dir: Path, env: str, mirror: str, moto_url: str, services: list[str]) -> None:
    stack = {"terraform": {"required_version": ">= 1.0", "backend": {"local": {"path": "terraform.tfstate"}},
                           "required_providers": {"aws": {"source": "hashicorp/aws",
                                                          "version": sorted(os.listdir(Path(mirror, "registry.terraform.io", "hashicorp", "aws")))[-1]}}},
             "provider": {"aws": {"access_key": "test", "secret_key": "test", "profile": None,
                                  "skip_credentials_validation": True, "skip_requesting_account_id": True,
                                  "skip_metadata_api_check": True, "s3_use_path_style": True,
                                  "endpoints": [{s: moto_url for s in services}]}}}
    reads = re.findall(r'(?m)^data "terraform_remote_state" "([a-z_]+)"', "".join(
        p.read_text() for p in layer_dir.glob("*.tf")))
    if reads:
        stack["data"] = {"terraform_remote_state": {}}
        for name in reads:
            producer = {"network": "01-network", "application": "07-application"}.get(name, name)
            path = FAKE_STATES / env / "fake_states" / f"{producer}.tfstate"
            stack["data"]["terraform_remote_state"][name] = {"backend": "local", "config": {"path": str(path)}}
    (layer_dir / "zz_override.tf.json").write_text(json.dumps(stack, indent=1))


def plan_tags(layer_dir: Path, var_file: Path, mirror: str) -> dict[str, dict]:
    rc = layer_dir / ".terraformrc"
    rc.write_text('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                  '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % mirror)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
               AWS_EC2_METADATA_DISABLED="true")
    for cmd in (["terraform", "init", "-input=false", "-no-color"],
                ["terraform", "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={var_file}",
                 "-out=plan.bin"]):
        run = subprocess.run(cmd, cwd=layer_dir, env=env, capture_output=True, text=True, timeout=900)
        if run.returncode:
            raise SystemExit(f"{layer_dir}: {' '.join(cmd[:2])} failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    shown = json.loads(subprocess.run(["terraform", "show", "-json", "plan.bin"], cwd=layer_dir, env=env,
                                      capture_output=True, text=True, timeout=300, check=True).stdout)
    tags: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for r in module.get("resources", []):
            values = r.get("values") or {}
            if r.get("mode") == "managed" and ("tags" in values or "tags_all" in values):
                tags[r["address"]] = {k: values[k] for k in ("tags", "tags_all") if k in values}
        for child in module.get("child_modules", []):
            walk(child)

    walk(shown["planned_values"]["root_module"])
    return tags


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    sys.path.insert(0, str(SHARED_TOOLS))
    import plan_compare  # the shared tool: its moto and mirror set-up

    mirror = plan_compare.find_mirror()
    if not mirror or not shutil.which("terraform"):
        print("needs terraform and a filesystem mirror of hashicorp/aws")
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="original-tags-"))
    started = plan_compare.ensure_moto(str(scratch))
    try:
        for tree, env, var_file, layer in CASES:
            work = scratch / f"{env}-{layer}"
            extract(argv[0], tree, work)
            neutralise(work / tree)
            layer_dir = work / tree / "layers" / layer
            override(layer_dir, env, mirror, plan_compare.MOTO_URL, plan_compare.ENDPOINT_SERVICES)
            tags = plan_tags(layer_dir, work / tree / "envs" / var_file, mirror)
            out = OUT / env / f"{layer}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps({"source": f"terraform plan of the original {tree}/layers/{layer} at {COMMIT} "
                                                 f"with timestamp() = {TIMESTAMP}", "timestamp": TIMESTAMP,
                                       "instances": dict(sorted(tags.items()))}, indent=1, sort_keys=False) + "\n")
            print(f"wrote {out.relative_to(ROOT)}: {len(tags)} instances")
    finally:
        if started:
            started.terminate()
            started.wait(timeout=20)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
