"""Design properties of 00-bootstrap: the state bucket of each environment, versioned, encrypted,
public access blocked, TLS only, with a local state that survives the next synthesis."""
from __future__ import annotations

import pytest

from layers.bootstrap import local_state_path
from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tests.helpers import policy, ref, resources_of_type

LAYER = "00-bootstrap"
# The buckets of the original bootstrap-oregon / bootstrap-seoul (their variables' defaults).
BUCKETS = {"dev": ("petclinic-tfstate-oregon-dev", "us-west-2"), "staging": ("petclinic-tfstate-oregon-dev", "us-west-2"),
           "prod": ("petclinic-tfstate-oregon-dev", "us-west-2"), "seoul": ("petclinic-tfstate-seoul-dev", "ap-northeast-2")}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_bucket_is_the_environments_state_bucket_in_its_region(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    (bucket,) = resources_of_type(stack, "aws_s3_bucket").values()
    assert (bucket["bucket"], stack["provider"]["aws"][0]["region"]) == BUCKETS[env]
    assert bucket["bucket"] == load_environment(env).state.bucket
    assert bucket["force_destroy"] is False


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_state_is_local_and_outside_the_output_folder(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    path = stack["terraform"]["backend"]["local"]["path"]
    assert path == local_state_path(load_environment(env).environment)
    # cdktf.out/stacks/00-bootstrap/ + three levels up leaves cdktf.out, which each synthesis replaces.
    assert path.startswith("../../../") and "cdktf.out" not in path


def test_the_bucket_is_versioned_encrypted_private_and_tls_only(synthesized):
    stack = synthesized("dev").stack(LAYER)
    bucket = ref("aws_s3_bucket.tfstate")
    (versioning,) = resources_of_type(stack, "aws_s3_bucket_versioning").values()
    assert versioning["bucket"] == bucket and versioning["versioning_configuration"]["status"] == "Enabled"
    (sse,) = resources_of_type(stack, "aws_s3_bucket_server_side_encryption_configuration").values()
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    (block,) = resources_of_type(stack, "aws_s3_bucket_public_access_block").values()
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                          "restrict_public_buckets"))
    (bucket_policy,) = resources_of_type(stack, "aws_s3_bucket_policy").values()
    (statement,) = policy(bucket_policy["policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [ref("aws_s3_bucket.tfstate", "arn"), ref("aws_s3_bucket.tfstate", "arn") + "/*"]


def test_outputs_are_the_original_bootstraps(synthesized):
    assert set(synthesized("dev").stack(LAYER)["output"]) == {
        "tfstate_bucket_name", "tfstate_bucket_arn", "s3_native_locking_enabled"}
