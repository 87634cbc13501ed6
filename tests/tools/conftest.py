"""A real local AWS for the drift tests: one moto server per test session on 127.0.0.1, on a free
port in 22000-22099 (this project's range for it), with fake credentials. Tests reset it between
scenarios through moto's own reset endpoint."""
from __future__ import annotations

import logging
import os
import time
import sys
import subprocess
import socket
import urllib.request
from collections.abc import Iterator

import pytest

from tests import helpers

PORTS = range(22000, 22100)


def free_port() -> int:
    return helpers.free_port(PORTS)


def closed_port() -> int:
    """A port in the range that nothing listens on (for the unreachable-endpoint case)."""
    return free_port()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                            "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE",
                                            "AWS_SHARED_CREDENTIALS_FILE", "MOTO_EC2_LOAD_DEFAULT_AMIS")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-west-2",
                      MOTO_EC2_LOAD_DEFAULT_AMIS="false",
                      AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # no line per request on the console
    port = free_port()
    # Its own process: the in-process mocks other tests use (moto's mock_aws) share moto's backends
    # with an in-process server and would reset or intercept what these tests create.
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start on 127.0.0.1:{port}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def reset(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).read()
