"""The derived provider tarball whose `lib/index.js` requires each JS submodule on first use.

`build()` derives it from the installed, SHA-256-checked tarball, deterministically, and stamps both
files; `usable()` returns it only while the stamp still matches them. It lives in the virtualenv
(`bin/setup` builds it) and is never committed. docs/speed.md has the details.

usage: python -m speed.lazy_tarball build|ensure   (ensure: build unless usable; exit 1 when it cannot build)
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from speed import versions

ASSEMBLY = versions.PROVIDER_ASSEMBLY
VERSION = versions.PROVIDER
TARBALL = versions.PROVIDER_TARBALL
TARBALL_SHA256 = versions.PROVIDER_TARBALL_SHA256
INDEX_MEMBER = "package/lib/index.js"
SUBMODULES = versions.PROVIDER_SUBMODULES
FORMAT = 1  # of the rewrite and the stamp; a new rewrite needs a new number
EXPORT = re.compile(rb'^exports\.([A-Za-z_$][\w$]*) = require\("(\./[a-z0-9-]+)"\);$')
COMPRESS_LEVEL = 6
PACKAGE_CACHE_VARIABLE = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"


class BuildError(Exception):
    """The installed tarball is not the one this rewrite was made for; the message says how."""


def artifacts_dir() -> Path:
    """Derived files that live and go with the virtualenv."""
    return Path(sys.prefix) / "petclinic"


def package_cache_root() -> Path:
    """jsii's package cache (extracted tarballs and their type index), kept with the virtualenv too."""
    return artifacts_dir() / "jsii-package-cache"


def lazy_path() -> Path:
    return artifacts_dir() / f"provider-aws@{VERSION}.lazy.jsii.tgz"


def stamp_path() -> Path:
    return artifacts_dir() / f"provider-aws@{VERSION}.lazy.json"


def source_path() -> Path:
    import importlib.util
    spec = importlib.util.find_spec(versions.PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(f"{versions.PROVIDER_PACKAGE} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "_jsii" / TARBALL


def lazy_index(source: bytes) -> bytes:
    """`lib/index.js` with every `exports.x = require("./x");` line made a lazy getter."""
    lines = source.split(b"\n")
    rewritten, count = [], 0
    for line in lines:
        match = EXPORT.match(line)
        if match:
            name, path = match.groups()
            line = (b'Object.defineProperty(exports, "%s", { enumerable: true, configurable: true, '
                    b'get: function () { return require("%s"); } });' % (name, path))
            count += 1
        elif b"require(" in line:
            raise BuildError(f"{INDEX_MEMBER}: a require the rewrite does not know: {line[:120]!r}")
        rewritten.append(line)
    if count != SUBMODULES:
        raise BuildError(f"{INDEX_MEMBER}: {count} submodule exports, expected {SUBMODULES}")
    return b"\n".join(rewritten)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def jsii_cache_digest(path: Path) -> str:
    """The name of the folder jsii extracts this tarball into in its package cache (`digestFile`)."""
    digest = hashlib.sha256(path.read_bytes())
    for part in (ASSEMBLY, VERSION):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def identity(path: Path) -> dict:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def build(source: Path | None = None, target: Path | None = None) -> Path:
    """Derive the lazy tarball from the installed one; returns its path."""
    import gzip
    import io
    import tarfile
    source = source or source_path()
    target = target or lazy_path()
    actual = sha256_file(source)
    if actual != TARBALL_SHA256:
        raise BuildError(f"{source} has SHA-256 {actual}, not the pinned {TARBALL_SHA256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    rewrote = 0
    try:
        with tarfile.open(source, "r:gz") as tin, open(partial, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=COMPRESS_LEVEL, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tout:
            for member in tin:
                data = tin.extractfile(member) if member.isfile() else None
                if member.name == INDEX_MEMBER:
                    content = lazy_index(data.read())
                    member.size, data, rewrote = len(content), io.BytesIO(content), rewrote + 1
                tout.addfile(member, data)
        if rewrote != 1:
            raise BuildError(f"{source} has {rewrote} {INDEX_MEMBER} members, expected 1")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    stamp = {"format": FORMAT, "assembly": ASSEMBLY, "version": VERSION, "source_sha256": actual,
             "source": identity(source), "lazy_sha256": sha256_file(target), "lazy": identity(target)}
    stamp_path().write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return target


def usable(source: Path) -> tuple[Path | None, str]:
    """The lazy tarball if its stamp matches the installed source and the copy itself, else (None, why)."""
    try:
        stamp = json.loads(stamp_path().read_text())
    except FileNotFoundError:
        return None, f"{lazy_path()} was not built (bin/setup builds it)"
    except ValueError as error:
        return None, f"{stamp_path()} is unreadable: {error}"
    target = lazy_path()
    try:
        if stamp.get("format") != FORMAT or stamp.get("version") != VERSION:
            return None, f"{stamp_path()} is from another rewrite; run bin/setup again"
        if stamp.get("source") != identity(source):
            return None, f"{source} changed since the lazy copy was built; run bin/setup again"
        if stamp.get("lazy") != identity(target):
            return None, f"{target} changed since it was built; run bin/setup again"
    except FileNotFoundError as error:
        return None, f"{error.filename} is missing; run bin/setup again"
    return target, "ok"


def state() -> str:
    """One line that changes whenever the tarball jsii gets would change (for the synthesis cache)."""
    try:
        return stamp_path().read_text()
    except OSError:
        return "none"


def main(argv: list[str]) -> int:
    if argv not in (["build"], ["ensure"]):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        if argv == ["ensure"]:
            path, _ = usable(source_path())
            if path is not None:
                print(f"  {path} is up to date")
                return 0
        path = build()
    except Exception as error:  # noqa: BLE001 - whatever went wrong, synthesis still works with the stock tarball
        print(f"warning: the lazy provider tarball was not built, synthesis loads the stock one: {error}",
              file=sys.stderr)
        return 1
    print(f"  built {path} ({path.stat().st_size // 1_000_000} MB; {SUBMODULES} JS submodules load on first use)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
