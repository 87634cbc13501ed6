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
    needed: Callable[[Environment], bool] = lambda env: True   # the environment asks for it


def hosted_zones(env: Environment) -> dict[str, str]:
    """zone name -> id, for each Route 53 zone the settings name by id (the zone the team makes before
    the first apply); moto is started with these ids registered (tools/e2e/moto_launch.py)."""
    alb = env.application.alb
    return {alb.domain_name: alb.hosted_zone_id} if alb.domain_name and alb.hosted_zone_id else {}


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


def public_hosted_zones(client: Callable[..., Any], env: Environment) -> None:
    route53 = client("route53")
    for name, zone_id in hosted_zones(env).items():
        made = route53.create_hosted_zone(Name=name, CallerReference=f"petclinic-e2e-{name}")["HostedZone"]["Id"]
        if made.rsplit("/", 1)[-1] != zone_id:
            raise RuntimeError(f"moto made the hosted zone {name} as {made}, not {zone_id} (moto_launch did not register it)")


SEEDS: tuple[Seed, ...] = (
    Seed("S3 state bucket (versioned)", "every stack's backend (made by boto3 only while there is no 00-bootstrap stack)",
         state_bucket, unless_layer="00-bootstrap"),
    Seed("IAM OIDC provider token.actions.githubusercontent.com",
         "read by data.aws_iam_openid_connect_provider (GitHub Actions deploy role); made outside the layers",
         github_oidc_provider),
    Seed("Route 53 public hosted zone of application.alb.domain_name, with the id application.alb.hosted_zone_id",
         "the ALB certificate's DNS validation record goes into it (07-application); the team makes it before the "
         "first apply (the environment file's placeholder id), so no layer does",
         public_hosted_zones, needed=lambda env: bool(hosted_zones(env))),
)
