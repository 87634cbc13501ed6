"""The terraform CLI, run in a scratch working directory with a timeout, offline and on 127.0.0.1 only.

Providers come from the filesystem mirror only (a CLI configuration of its own, a shared plugin
cache). Credentials are moto's fake ones; every proxy variable points at a closed port of this tool's
range with 127.0.0.1 exempted, so a request to any other host fails instead of leaving the machine.
Output is terraform's machine-readable stream (`-json`), read into `Diagnostic`s and change lists.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

DEAD_PROXY = "http://127.0.0.1:25099"  # nothing listens there: non-local traffic is refused
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


def find_mirror() -> Path | None:
    """The filesystem mirror holding registry.terraform.io/hashicorp/aws (TF_PROVIDER_MIRROR wins);
    the drift tool's plan mode looks for it the same way."""
    from tools.drift.plan import provider_mirror

    return provider_mirror()


def mirrored_aws_version(mirror: Path) -> str:
    versions = sorted(os.listdir(mirror / "registry.terraform.io" / "hashicorp" / "aws"),
                      key=lambda v: tuple(int(x) if x.isdigit() else 0 for x in v.split(".")))
    if not versions:
        raise RuntimeError(f"{mirror} holds no version of hashicorp/aws")
    return versions[-1]


def terraform_version(binary: str) -> str:
    out = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=60).stdout
    return json.loads(out)["terraform_version"]


def local_only_environment() -> dict[str, str]:
    """What every subprocess of the run gets: fake AWS credentials, no AWS config or metadata
    lookups, and proxies that refuse everything but 127.0.0.1."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "TF_")) and k.lower() not in ("http_proxy", "https_proxy", "no_proxy",
                                                                        "all_proxy")}
    env.update(FAKE_CREDENTIALS, AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, HTTP_PROXY=DEAD_PROXY, HTTPS_PROXY=DEAD_PROXY,
               http_proxy=DEAD_PROXY, https_proxy=DEAD_PROXY, NO_PROXY="127.0.0.1,localhost",
               no_proxy="127.0.0.1,localhost")
    return env


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str
    address: str | None

    @property
    def api(self) -> str | None:
        """The AWS API call an error names ("operation error Lambda: CreateFunction")."""
        found = re.search(r"operation error ([\w .-]+?): (\w+)", f"{self.summary} {self.detail}")
        return f"{found.group(1)}:{found.group(2)}" if found else None

    def line(self) -> str:
        text = " ".join(f"{self.summary}: {self.detail}".split())
        return f"{self.address or '(no address)'}: {text[:400]}"


@dataclass
class Result:
    command: str
    returncode: int
    seconds: float
    timed_out: bool
    messages: list[dict] = field(default_factory=list)
    text: str = ""
    attribute_changes: dict[str, list[str]] = field(default_factory=dict)  # from `show -json` of a plan

    def document(self) -> dict:
        """The one JSON document a command such as `show -json` or `providers schema -json` prints."""
        if not self.messages:
            raise RuntimeError(f"terraform {self.command} printed no JSON: {' '.join(self.text.split())[-300:]}")
        return self.messages[0]

    def diagnostics(self, severity: str = "error") -> list[Diagnostic]:
        found = []
        for m in self.messages:
            d = m.get("diagnostic")
            if m.get("type") == "diagnostic" and d and d.get("severity") == severity:
                found.append(Diagnostic(d["severity"], d.get("summary", ""), d.get("detail", ""), d.get("address")))
        if severity == "error" and self.returncode not in (0, 2) and not found:
            text = self.text[self.text.find("Error:"):] if "Error:" in self.text else self.text[-600:]
            tail = " ".join(text.split())[:600]
            found.append(Diagnostic("error", f"terraform {self.command} exit {self.returncode}"
                                    + (" (timed out)" if self.timed_out else ""), tail, None))
        return found

    def changes(self) -> list[tuple[str, str]]:
        """(address, action) of every change a plan or apply announced (`planned_change`)."""
        return [(m["change"]["resource"]["addr"], m["change"]["action"]) for m in self.messages
                if m.get("type") == "planned_change"]

    def drifted(self) -> list[tuple[str, str]]:
        """(address, action) of every object refresh found changed outside terraform (`resource_drift`)."""
        return [(m["change"]["resource"]["addr"], m["change"]["action"]) for m in self.messages
                if m.get("type") == "resource_drift"]


class Terraform:
    """terraform with the mirror's CLI configuration, the plugin cache and the local-only environment."""

    def __init__(self, binary: str, mirror: Path, scratch: Path):
        self.binary = binary
        config = scratch / "terraformrc"
        cache = scratch / "plugin-cache"
        cache.mkdir(parents=True, exist_ok=True)
        config.write_text('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                          '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
                          '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n' % mirror)
        self.env = dict(local_only_environment(), TF_CLI_CONFIG_FILE=str(config), TF_PLUGIN_CACHE_DIR=str(cache),
                        TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")

    # `init` links the provider through the shared plugin cache, which is not safe for concurrent
    # writers ("failed to create directory ... file exists"): one init at a time.
    _init_lock = threading.Lock()

    def run(self, workdir: Path, *args: str, timeout: float, log: str | None = None) -> Result:
        command = args[0]
        if command == "init":
            with self._init_lock:
                return self._run(workdir, args, timeout, log)
        return self._run(workdir, args, timeout, log)

    def _run(self, workdir: Path, args: tuple[str, ...], timeout: float, log: str | None) -> Result:
        """Run with output going straight to `terraform-<log>.log` in the working directory (readable
        while it runs, and kept when the command times out)."""
        command = args[0]
        path = workdir / f"terraform-{log or command}.log"
        start = time.monotonic()
        with path.open("w") as out:
            try:
                returncode = subprocess.run([self.binary, *args], cwd=workdir, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, timeout=timeout, stdin=subprocess.DEVNULL).returncode
                timed_out = False
            except subprocess.TimeoutExpired:
                returncode, timed_out = -1, True
        text = path.read_text(errors="replace")
        if timed_out:
            text += f"\nterraform {command} did not finish within {timeout:.0f} s"
        messages = []
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    messages.append(json.loads(line))
                except ValueError:
                    pass
        return Result(command, returncode, time.monotonic() - start, timed_out, messages, text)


def which_terraform() -> str | None:
    return shutil.which("terraform")
