"""Layer 00-bootstrap: the S3 bucket that holds every other layer's state (the original's
`bootstrap-oregon` / `bootstrap-seoul`), with its own state in a local file - it cannot keep its
state in the bucket it creates. The first stack to apply in a fresh account; reads no other layer.

staging and prod keep their states in dev's bucket (envs/*.toml `[state]`): bootstrap that bucket once,
with dev. The original bootstrap's state was local too, so there is nothing to carry over: in an
account where the bucket exists, `terraform import` it (see docs/deploying.md, "The state bucket").
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers.base import LayerStack
from layers.contracts.bootstrap import OUTPUTS
from modules.origin import Origin
from modules.state_bucket import StateBucket, StateBucketProps

# From cdktf.out/stacks/00-bootstrap/ up to the folder that holds cdktf.out.
LOCAL_STATE_PATH = "../../../bootstrap-state/{environment}/terraform.tfstate"


def local_state_path(environment: str) -> str:
    return LOCAL_STATE_PATH.format(environment=environment)


class BootstrapStack(LayerStack):
    layer = "00-bootstrap"
    outputs = OUTPUTS
    state_backend = "local"
    new_layer = True

    @property
    def default_tags(self) -> dict[str, str]:
        # The original bootstrap's provider tags (Environment "bootstrap"), from the environment data.
        return self.env.tag_set("00-bootstrap", self.layer)

    def build(self) -> None:
        self.state_bucket = StateBucket(self, "tfstate", StateBucketProps(
            naming=self.naming_for("00-bootstrap/bucket"),
            origin=Origin.new("the state bucket's stack; its original state was a local file, not carried over"),
            bucket_name=self.env.state.bucket,
        ))
        # The bucket lives where the states do (staging's provider region is Tokyo, its states Oregon).
        self.node.find_child("aws").region = self.env.state.region
        # The synthesis replaces the whole output folder on every run: a state file inside
        # cdktf.out/stacks/00-bootstrap/ would be deleted by the next synthesis. Kept beside the
        # output folder instead (LOCAL_STATE_PATH, relative to the stack's folder).
        self.add_override("terraform.backend.local.path", local_state_path(self.env.environment))

    def output_values(self) -> Mapping[str, Any]:
        return {
            "tfstate_bucket_name": self.state_bucket.bucket_name,
            "tfstate_bucket_arn": self.state_bucket.bucket_arn,
            "s3_native_locking_enabled": True,
        }
