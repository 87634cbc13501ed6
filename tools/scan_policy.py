"""The project's scanner policy, read from the files users' own scanner runs read as well:
`.checkov.yml` (frameworks, skip list) and `.trivyignore` (AVD IDs), at the repository root.

Every skip must carry its reason (a comment on the checkov line; the comment lines above a trivy ID,
shared by the IDs that follow it up to a blank line):
a policy file with a bare skip is an error, so a skip cannot slip in unexplained.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHECKOV_CONFIG = ROOT / ".checkov.yml"
TRIVY_CONFIG = ROOT / "trivy.yaml"
TRIVY_IGNORE = ROOT / ".trivyignore"
TFSEC_CONFIG = ROOT / ".tfsec.yml"


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    checkov_skips: dict[str, str]      # check id -> reason
    trivy_ignores: dict[str, str]      # AVD id -> reason
    checkov_config: dict

    def skip_reason(self, scanner: str, check_id: str) -> str | None:
        table = self.checkov_skips if scanner == "checkov" else self.trivy_ignores
        return table.get(check_id)


def load_policy(checkov_config: Path = CHECKOV_CONFIG, trivy_ignore: Path = TRIVY_IGNORE) -> Policy:
    return Policy(checkov_skips=checkov_skips(checkov_config), trivy_ignores=trivy_ignores(trivy_ignore),
                  checkov_config=yaml.safe_load(checkov_config.read_text()) or {})


def checkov_skips(path: Path) -> dict[str, str]:
    config = yaml.safe_load(path.read_text()) or {}
    listed = [str(c) for c in config.get("skip-check") or []]
    reasons: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = re.match(r"^\s*-\s*(CKV2?_[A-Z0-9_]+)\s*(?:#\s*(.*))?$", line)
        if match:
            if not (match.group(2) or "").strip():
                raise PolicyError(f"{path.name}:{number}: skip {match.group(1)} has no reason (a `# why` comment)")
            reasons[match.group(1)] = match.group(2).strip()
    missing = sorted(set(listed) - set(reasons))
    if missing:
        raise PolicyError(f"{path.name}: skip-check entries not written as `- ID  # reason`: {missing}")
    return reasons


def trivy_ignores(path: Path) -> dict[str, str]:
    reasons: dict[str, str] = {}
    comment: list[str] = []
    after_id = False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text:
            comment, after_id = [], False
        elif text.startswith("#"):
            comment = [text.lstrip("# ").strip()] if after_id else comment + [text.lstrip("# ").strip()]
            after_id = False
        else:
            check_id = text.split()[0]
            if not comment:
                raise PolicyError(f"{path.name}:{number}: ignore {check_id} has no reason (a comment line above it)")
            reasons[check_id] = " ".join(comment)
            after_id = True
    return reasons
