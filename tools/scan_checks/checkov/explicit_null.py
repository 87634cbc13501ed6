"""checkov check CKV_PETCLINIC_1: a resource states no argument as an explicit null.

checkov reads an explicit `null` as a value: an ingress block written with null fields made CKV_AWS_24
pass where it must fail. The synthesis writes none (tests/test_output_form.py); this check holds every
resource of a scanned stack to it, so that checkov evaluates every resource it reads (many AWS types
have no check of checkov's own: 05-cloud-map's service discovery, 08-api-gateway's methods).
Loaded through `external-checks-dir` in .checkov.yml.
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# checkov's own bookkeeping in a parsed resource (line numbers, cdktf's `//` metadata), not arguments.
_NOT_ARGUMENTS = ("__", "//")


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for k, v in value.items() if not str(k).startswith(_NOT_ARGUMENTS))
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


class NoExplicitNull(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="Ensure a resource states no argument as an explicit null (checkov reads it as a value)",
                         id="CKV_PETCLINIC_1", categories=(CheckCategories.CONVENTION,), supported_resources=("aws_*",))

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        return CheckResult.FAILED if _has_null(conf) else CheckResult.PASSED


check = NoExplicitNull()
