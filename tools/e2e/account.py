"""What the account holds before any layer is applied: the state bucket, and the objects that the
stacks read with data sources but no layer makes (made outside Terraform in the deployed account).
Each is created with boto3 in moto and listed in the report."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from settings import Environment


@dataclass(frozen=True)
class Seed:
    what: str
    why: str
    create: Callable[[Callable[..., Any], Environment], None]
    unless_layer: str | None = None   # a stack that makes it instead, when it exists


def state_bucket(client: Callable[..., Any], env: Environment) -> None:
    s3 = client("s3", env.state.region)
    extra = ({} if env.state.region == "us-east-1"
             else {"CreateBucketConfiguration": {"LocationConstraint": env.state.region}})
    s3.create_bucket(Bucket=env.state.bucket, **extra)
    s3.put_bucket_versioning(Bucket=env.state.bucket, VersioningConfiguration={"Status": "Enabled"})


def github_oidc_provider(client: Callable[..., Any], env: Environment) -> None:
    client("iam").create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])


SEEDS: tuple[Seed, ...] = (
    Seed("S3 state bucket (versioned)", "every stack's backend (made by boto3 only while there is no 00-bootstrap stack)",
         state_bucket, unless_layer="00-bootstrap"),
    Seed("IAM OIDC provider token.actions.githubusercontent.com",
         "read by data.aws_iam_openid_connect_provider (GitHub Actions deploy role); made outside the layers",
         github_oidc_provider),
)
