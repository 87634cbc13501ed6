"""jsii's kernel started without its relay process, and its answers to `load` read lazily.

jsii starts `node jsii-runtime.js`, whose only work is to start the kernel (a second Node) and relay
every message between them. `install()` makes the pinned jsii start the kernel itself on one end of a
socket pair: the same messages over one hop, one Node fewer. The answers to `load` requests are read
before the next request instead of when sent, so Python goes on while Node loads the assemblies (a
failed load raises at the next request). docs/speed.md has the details.
"""
from __future__ import annotations

import io
import json
import os
import platform
import shutil
import socket
import subprocess
import threading
from pathlib import Path

from speed import versions

# The kernel reads and writes its API on descriptor 3; bash (unlike a POSIX sh) moves a descriptor
# numbered 10 or more, which ours is under pytest's output capture.
SHELL_EXEC = 'fd=$1; shift; exec "$@" 3<&"$fd" {fd}<&-'


def _direct_start(self) -> None:
    """`_NodeProcess.start`, without the relay: the kernel on one end of a socket pair."""
    environ = os.environ.copy()
    environ["JSII_AGENT"] = f"Python/{platform.python_version()}"
    node = environ.get("JSII_NODE", "node")
    entry = Path(environ.get("JSII_RUNTIME") or self._jsii_runtime())
    program = entry.parent.parent / "lib" / "program.js"
    ours, theirs = socket.socketpair()
    try:
        self._process = subprocess.Popen(
            [shutil.which("bash") or "bash", "-c", SHELL_EXEC, "bash", str(theirs.fileno()),
             node, "--max-old-space-size=4069", "--preserve-symlinks", str(program)],
            stdin=subprocess.DEVNULL, env=environ, pass_fds=(theirs.fileno(),))
    finally:
        theirs.close()
    self._process.stdin = ours.makefile("wb")
    self._process.stdout = ours.makefile("rb")
    self._process.stderr = io.BytesIO()          # stop() closes it; the kernel's stderr is ours
    self._socket = ours
    self.sink_thread = threading.Thread(target=lambda: None, daemon=True)
    self.sink_thread.start()
    import atexit
    atexit.register(self.stop)
    self._petclinic_unanswered = [None]   # the greeting, read by _answer_pending (handshake)
    _started.append(self)


_started: list = []


def settle() -> None:
    """Wait for what the kernel still owes (its greeting, the loads' answers): exiting before it has
    written them makes Node print a crash (a write to a closed socket) after our own message."""
    for started in _started:
        _answer_pending(started)


def _answer_pending(self) -> None:
    """Read, in order, what the kernel owes: its greeting, then the answer to each `load` sent."""
    unanswered = getattr(self, "_petclinic_unanswered", None)
    while unanswered:
        expected = unanswered.pop(0)
        if expected is None:
            self.handshake()
            continue
        from jsii._kernel.providers.process import _OkayResponse, _ProcessResponse
        from jsii.errors import JavaScriptError, JSIIError
        answer = self._serializer.structure(self._next_message(), _ProcessResponse)
        if not isinstance(answer, _OkayResponse):
            raise JSIIError(answer.error) from JavaScriptError(answer.stack)


def _send_without_waiting_for_loads(self, request, response_type):
    """`_NodeProcess.send`, except that a `load` is only written (see above)."""
    from jsii._kernel.types import LoadRequest
    if not isinstance(request, LoadRequest):
        _answer_pending(self)
        return self._stock_send(request, response_type)
    data = json.dumps(self._serializer.unstructure(request)).encode("utf8")
    self._process.stdin.write(b"%b\n" % (data,))
    self._process.stdin.flush()
    self._petclinic_unanswered.append(response_type)
    return None   # jsii's Kernel.load returns nothing either


def install() -> str | None:
    """Use the direct start for jsii's kernel if this jsii is the one it was written for; else the
    reason it is not used."""
    if shutil.which("bash") is None:
        return "no bash to start jsii's kernel with"
    try:
        from importlib.metadata import version

        import jsii._embedded.jsii as embedded
        from jsii._kernel.providers import process
    except ImportError as error:
        return f"jsii's internals moved ({error})"
    if version("jsii") != versions.JSII:
        return f"jsii is {version('jsii')}, the direct start was written for {versions.JSII}"
    if "lib__program.js" not in embedded.EMBEDDED_FILES:
        return "jsii embeds no lib/program.js"
    if not hasattr(process._NodeProcess, "_stock_start"):
        process._NodeProcess._stock_start = process._NodeProcess.start
        process._NodeProcess._stock_send = process._NodeProcess.send
    process._NodeProcess.start = _direct_start
    process._NodeProcess.send = _send_without_waiting_for_loads
    return None
