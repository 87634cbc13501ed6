"""A private MariaDB server for the function tests: its own data directory in a temporary folder,
listening on 127.0.0.1 only, on a free port of 23000-23099, driven through the `mariadb` command-line
client (no Python driver). `start()` returns None with the reason when no server binary is installed.

MariaDB is not MySQL 8: it ignores the `MAX_EXECUTION_TIME` optimizer hint (a comment to MariaDB
10.11) and caps a statement with `SET STATEMENT max_statement_time=<seconds> FOR ...` instead.
`for_mariadb` makes that translation, and only that, on the guard's output.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import free_port

PORTS = range(23040, 23100)
HINT = re.compile(r"^SELECT /\*\+ MAX_EXECUTION_TIME\((\d+)\) \*/ ")


class QueryError(Exception):
    """The server refused a statement; `message` is the client's error line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def for_mariadb(guarded_sql: str) -> str:
    """The guard's statement with its MySQL time cap turned into MariaDB's, nothing else changed."""
    match = HINT.match(guarded_sql)
    if match is None:
        raise ValueError("the statement does not start with the guard's time cap")
    seconds = int(match.group(1)) / 1000
    return f"SET STATEMENT max_statement_time={seconds:g} FOR SELECT " + guarded_sql[match.end():]


@dataclass
class MariaDB:
    root: Path
    port: int
    process: subprocess.Popen

    @property
    def socket(self) -> str:
        return str(self.root / "mariadb.sock")

    def run(self, sql: str, user: str = "root", password: str = "", database: str | None = None,
            clock: str | None = None) -> list[dict[str, str | None]]:
        """The rows of the last statement of `sql` (values as text, NULL as None).

        root connects through the socket; any other user over TCP on 127.0.0.1, its password in the
        environment (never in argv). `clock` pins NOW() for the session ('2026-01-01 00:00:00', UTC).
        """
        command = ["mariadb", "--no-defaults", "--xml", "--user", user]
        command += ["--socket", self.socket] if user == "root" else ["--protocol=TCP", "--host=127.0.0.1",
                                                                       f"--port={self.port}"]
        if database:
            command.append(database)
        prelude = "SET time_zone = '+00:00';\n"
        if clock:
            prelude += f"SET timestamp = UNIX_TIMESTAMP('{clock}');\n"
        env = {"PATH": os.environ.get("PATH", ""), "MYSQL_PWD": password, "HOME": str(self.root)}
        done = subprocess.run(command, input=prelude + sql.rstrip(";") + ";\n", capture_output=True, text=True,
                              env=env, timeout=60, check=False)
        if done.returncode != 0:
            raise QueryError(done.stderr.strip())
        return rows_of(done.stdout)

    def errors_of_script(self, statements: list[str], user: str, password: str, database: str) -> list[tuple[int, str]]:
        """(index of the statement, server error code) for each of `statements` the server refused;
        the client goes on after an error (`--force`). One statement per line."""
        command = ["mariadb", "--no-defaults", "--force", "--batch", "--user", user, "--protocol=TCP",
                   "--host=127.0.0.1", f"--port={self.port}", database]
        script = "".join(sql.replace("\n", " ").rstrip(";") + ";\n" for sql in statements)
        env = {"PATH": os.environ.get("PATH", ""), "MYSQL_PWD": password, "HOME": str(self.root)}
        done = subprocess.run(command, input=script, capture_output=True, text=True, env=env, timeout=300,
                              check=False)
        return [(int(line) - 1, code) for code, line in re.findall(r"^ERROR (\d+) \(\w+\) at line (\d+)",
                                                                   done.stderr, re.MULTILINE)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def rows_of(xml_output: str) -> list[dict[str, str | None]]:
    documents = [d for d in re.split(r"(?=<\?xml )", xml_output) if d.strip()]
    if not documents:
        return []
    rows = []
    for row in ElementTree.fromstring(documents[-1].encode("utf-8")).iter("row"):
        rows.append({f.get("name"): None if _is_nil(f) else (f.text or "") for f in row.iter("field")})
    return rows


def _is_nil(field: ElementTree.Element) -> bool:
    """The client marks NULL with the XML-schema-instance attribute `nil` (any namespace prefix)."""
    return any(key.endswith("}nil") and value == "true" for key, value in field.attrib.items())


def missing_reason() -> str | None:
    for binary in ("mariadbd", "mariadb-install-db", "mariadb"):
        if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists():
            return f"{binary} is not installed (apt-get install mariadb-server)"
    return None


def _binary(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _free_port() -> int:
    return free_port(PORTS)


def start(root: Path) -> MariaDB:
    data = root / "data"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([_binary("mariadb-install-db"), "--no-defaults", f"--datadir={data}", "--skip-test-db",
                    "--auth-root-authentication-method=normal", *user], capture_output=True, check=True, timeout=300)
    port = _free_port()
    log = open(root / "mariadbd.log", "w")  # noqa: SIM115 - the server writes to it while it runs
    process = subprocess.Popen(
        [_binary("mariadbd"), "--no-defaults", f"--datadir={data}", f"--socket={root / 'mariadb.sock'}",
         f"--port={port}", "--bind-address=127.0.0.1", "--skip-name-resolve", f"--pid-file={root / 'mariadbd.pid'}",
         "--innodb-buffer-pool-size=32M", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
         *user], stdout=log, stderr=subprocess.STDOUT)
    server = MariaDB(root, port, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            server.run("SELECT 1 AS ok")
            return server
        except QueryError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"mariadbd did not start; see {root / 'mariadbd.log'}") from None
            time.sleep(0.3)
