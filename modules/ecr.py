"""One ECR repository of a service: immutable tags, scan on push, a repository policy that lets
principals push and pull, and a lifecycle policy that keeps the newest images only.

Holds no image and no build: images arrive from CI (see `modules.delivery_role`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository, EcrRepositoryImageScanningConfiguration
from cdktf_cdktf_provider_aws.ecr_repository_policy import EcrRepositoryPolicy
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

PUSH_PULL_ACTIONS = (
    "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:PutImage",
    "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
)
# The deployed rule description ("keep only the newest 10 images"), with the count filled in.
KEEP_NEWEST_DESCRIPTION = "최신 {count}개 이미지만 보존"


@dataclass(frozen=True)
class EcrRepositoryProps:
    naming: Naming
    origin: Origin
    service: str                  # the repository is named `<prefix>-<service>`
    keep_images: int = 10
    scan_on_push: bool = True


class ServiceRepository(Construct):
    def __init__(self, scope: Construct, id: str, props: EcrRepositoryProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        self.repository = origin.carry(EcrRepository(
            self, "Default",
            name=naming.name(props.service),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=props.scan_on_push),
            tags=naming.tags_for(Component="ecr", Purpose="container-registry"),
        ), "repository")
        origin.carry(EcrRepositoryPolicy(
            self, "policy",
            repository=self.repository.name,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "AllowPushPull", "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": list(PUSH_PULL_ACTIONS)}]}),
        ), "policy")
        origin.carry(EcrLifecyclePolicy(
            self, "lifecycle",
            repository=self.repository.name,
            policy=json.dumps({"rules": [{
                "rulePriority": 1,
                "description": KEEP_NEWEST_DESCRIPTION.format(count=props.keep_images),
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": props.keep_images},
                "action": {"type": "expire"}}]}, ensure_ascii=False),
        ), "lifecycle", 0)

    @property
    def arn(self) -> str:
        return self.repository.arn

    @property
    def name(self) -> str:
        return self.repository.name

    @property
    def url(self) -> str:
        return self.repository.repository_url
