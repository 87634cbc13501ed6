"""A moto server on 127.0.0.1, on a free port of a given range, stopped whatever happens."""
from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from tools.e2e.terraform import local_only_environment

LAUNCHER = Path(__file__).with_name("moto_launch.py")   # moto.server with custom ids registered first
PORT_RANGE = range(25000, 25099)  # this tool's ports (25099 is the dead proxy, see terraform.py)


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def reserve_port(ports: range = PORT_RANGE) -> tuple[int, IO[bytes]]:
    """A free port, held by an exclusive lock on a file named for it until the returned file is
    closed: two runs of this tool side by side never pick the same port between the check and moto's bind."""
    for port in ports:
        lock = open(Path(tempfile.gettempdir()) / f"petclinic-e2e-port-{port}.lock", "wb")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        if port_is_free(port):
            return port, lock
        lock.close()
    raise RuntimeError(f"no free port on 127.0.0.1 in {ports.start}-{ports.stop - 1}")


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class MotoServer:
    """`with MotoServer(log) as moto: moto.url` — a fresh moto server; stopped (its whole process
    group) on leaving the block, on an exception and on SIGTERM of this process."""

    def __init__(self, log: Path, start_timeout: float = 60.0, settings: dict[str, str] | None = None,
                 hosted_zones: Mapping[str, str] | None = None):
        self.log = log
        self.settings = dict(settings or {})     # moto's own variables (MOTO_ACCOUNT_ID, ...)
        self.hosted_zones = dict(hosted_zones or {})   # zone name -> the id moto gives it when it is made
        self.port, self._port_lock = reserve_port()
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "MotoServer":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), *(f"--hosted-zone={name}={zone}" for name, zone in self.hosted_zones.items()),
                 "--", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                # AWS managed policies (AdministratorAccess, ...) exist only when moto is asked to load them
                env={**local_only_environment(), "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", **self.settings},
            )
        self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
        deadline = time.monotonic() + self.start_timeout
        while not answers(self.port) or self.process.poll() is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto server did not start on {self.url} (see {self.log}); "
                                   "is moto[server] installed for this Python?")
            time.sleep(0.2)
        time.sleep(0.5)
        if self.process.poll() is not None:  # another server answered on the port, and ours could not bind
            self.stop()
            raise RuntimeError(f"{self.url} is served by another process (see {self.log})")
        return self

    def _on_sigterm(self, signum: int, frame: object) -> None:
        self.stop()
        raise SystemExit(128 + signum)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)  # its own group: started with start_new_session
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
        self._port_lock.close()
        if getattr(self, "_previous_sigterm", None) is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
