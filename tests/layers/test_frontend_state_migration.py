"""docs/layers.md's one-time move of 11-frontend's state, done for real: the original layer had no backend,
so its state is a local `terraform.tfstate`; `terraform init -migrate-state` in the synthesized stack
copies it to the stack's S3 key, every original instance address intact (the `moved` blocks then
carry them over, as `plan_compare.py` shows).

The S3 bucket is a moto server on 127.0.0.1. In a scratch copy, an override file points the stack's
own backend block at it (only the endpoint and the fake credentials are added) and relaxes the
version constraints to the mirrored provider. Skips where terraform, the provider mirror or moto are
missing.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_terraform_validate import MIRROR, TERRAFORM  # same skip facts

LAYER = "11-frontend"
ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"

try:
    import boto3
    import moto  # noqa: F401
except ImportError:  # pragma: no cover - the locked environment has both
    boto3 = None

pytestmark = pytest.mark.skipif(TERRAFORM is None or MIRROR is None or boto3 is None,
                                reason="needs terraform, a filesystem mirror of hashicorp/aws and moto[server]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_endpoint(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the moto server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def original_local_state(env: str) -> dict:
    """A local state as the original layer left it: its instances at their original addresses."""
    resources = {}
    for instance in json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]:
        address = instance["address"]
        module, rest = address.split(".aws_", 1)
        rtype, name = ("aws_" + rest).split(".", 1)
        index = None
        if name.endswith("[0]"):
            name, index = name[:-3], 0
        entry = resources.setdefault((module, rtype, name), {
            "module": module, "mode": "managed", "type": rtype, "name": name,
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]', "instances": []})
        entry["instances"].append({"schema_version": 0, "attributes": {"id": f"{rtype}-{name}"},
                                   **({"index_key": index} if index is not None else {})})
    return {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "8f1c6a52-0000-4000-8000-000000000011",
            "outputs": {}, "resources": list(resources.values())}


def test_init_migrate_state_moves_the_local_state_to_the_stacks_s3_key(synthesized, tmp_path, s3_endpoint):
    synthesis = synthesized("dev")
    stack = synthesis.stack(LAYER)
    backend = stack["terraform"]["backend"]["s3"]
    work = tmp_path / LAYER
    shutil.copytree(synthesis.stack_dir(LAYER), work)
    version = sorted(os.listdir(MIRROR / "registry.terraform.io" / "hashicorp" / "aws"))[-1]
    (work / "zz_override.tf.json").write_text(json.dumps({"terraform": {
        "required_version": ">= 1.0",
        "required_providers": {"aws": {"source": "hashicorp/aws", "version": version}},
        "backend": {"s3": {**backend, "endpoints": {"s3": s3_endpoint}, "use_path_style": True,
                           "access_key": "test", "secret_key": "test", "skip_credentials_validation": True,
                           "skip_requesting_account_id": True, "skip_metadata_api_check": True,
                           "skip_region_validation": True}},
    }}))
    state = original_local_state("dev")
    (work / "terraform.tfstate").write_text(json.dumps(state))
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name=backend["region"],
                      aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket=backend["bucket"], CreateBucketConfiguration={"LocationConstraint": backend["region"]})
    rc = tmp_path / "terraformrc"
    rc.write_text('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                  '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % MIRROR)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    environ.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                   AWS_EC2_METADATA_DISABLED="true")
    result = subprocess.run([TERRAFORM, "init", "-migrate-state", "-force-copy", "-input=false", "-no-color"],
                            cwd=work, env=environ, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    migrated = json.loads(s3.get_object(Bucket=backend["bucket"], Key=backend["key"])["Body"].read())
    assert backend["key"] == "dev/11-frontend/terraform.tfstate"

    def addresses(s: dict) -> set[str]:
        return {f"{r['module']}.{r['type']}.{r['name']}" + ("[0]" if "index_key" in i else "")
                for r in s["resources"] for i in r["instances"]}
    assert addresses(migrated) == addresses(state) and len(addresses(migrated)) == 14
    listed = subprocess.run([TERRAFORM, "state", "list", "-no-color"], cwd=work, env=environ,
                            capture_output=True, text=True, timeout=300)
    assert set(listed.stdout.split()) == addresses(state)
