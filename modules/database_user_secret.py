"""A Secrets Manager secret that holds one database user's credentials, with no value in Terraform.

Terraform creates the empty secret (its name, description and tags); the value, a JSON object with
`username` and `password` in the shape the RDS Data API reads, is written by the one-time step that
creates the user on the cluster (`tools/genai_db_user.py`), so the password is never in a plan, a
state file or an output.

Holds no IAM policy: whoever reads the secret grants itself `secretsmanager:GetSecretValue` on `arn`.
"""
from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from constructs import Construct

from modules.naming import Naming
from modules.origin import created


@dataclass(frozen=True)
class DatabaseUserSecretProps:
    naming: Naming
    name_parts: tuple[str, ...]     # ("genai", "db-readonly") -> petclinic-dev-genai-db-readonly
    description: str
    reason: str                     # why the secret has no deployed counterpart


class DatabaseUserSecret(Construct):
    def __init__(self, scope: Construct, id: str, props: DatabaseUserSecretProps):
        super().__init__(scope, id)
        if not props.name_parts:
            raise ValueError(f"{id}: name_parts must name the secret")
        self.secret = created(SecretsmanagerSecret(
            self, "Default",
            name=props.naming.name(*props.name_parts),
            description=props.description,
            tags=props.naming.tags_for(*props.name_parts),
        ), props.reason)
        self.arn: str = self.secret.arn
        self.name: str = self.secret.name
