"""Key-encryption keys (KEK) for the pupils' keys (R17, ADR 0024), kept outside PostgreSQL.

Every pupil key in `pupil_key` is wrapped under one version of the KEK. Each disposal run
makes a new version, re-wraps the living pupils' keys under it and destroys every older
version: a disposed pupil's key, whose bytes PostgreSQL may keep in old table pages, in the
WAL or in a backup, was only ever wrapped under versions that no longer exist.

In production the versions live in the municipality's key management service; for
development and tests they are files, one per version, in `PUPIL_KEK_DIR/<database>/`
(the project's own `.keys/kek`, never committed), which this module creates and destroys.
"""
from __future__ import annotations

import base64
import os
import re
import threading
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventkit.config import env

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_VERSION_FILE = re.compile(r"v(\d+)\.key")


class KeyEncryptionKeys(Protocol):
    """Versions of the key-encryption key of one key store (one database)."""

    def get(self, version: int) -> bytes | None:
        """The key of `version`, or None once it is destroyed (or never existed)."""

    def create(self, version: int) -> bytes:
        """A new random key for `version`, stored durably before it is returned."""

    def newest_version(self) -> int:
        """The highest version that exists or existed here (0 when none): a new version is
        numbered above it, so a number is never given twice."""

    def destroy_all_but(self, version: int) -> list[int]:
        """Destroy every version except `version`; the versions destroyed."""


class KeyFiles:
    """The development key management service: one file per version in a directory that
    only the owner can read. Destroying a version overwrites the file and removes it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[int, bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_database(cls, dbname: str) -> "KeyFiles":
        base = Path(env("PUPIL_KEK_DIR", ".keys/kek"))
        return cls((base if base.is_absolute() else PROJECT_ROOT / base) / dbname)

    def _path(self, version: int) -> Path:
        return self.directory / f"v{version}.key"

    def versions(self) -> list[int]:
        if not self.directory.is_dir():
            return []
        return sorted(int(m[1]) for p in self.directory.iterdir() if (m := _VERSION_FILE.fullmatch(p.name)))

    def newest_version(self) -> int:
        seen = self.directory / "newest"  # survives the files themselves
        recorded = int(seen.read_text()) if seen.exists() else 0
        return max([recorded, *self.versions()])

    def get(self, version: int) -> bytes | None:
        with self._lock:
            if version in self._cache:
                return self._cache[version]
        try:
            raw = self._path(version).read_text().strip()
        except FileNotFoundError:
            return None
        key = base64.urlsafe_b64decode(raw)
        with self._lock:
            # An older version is never needed again once a newer one is read: keep one in memory.
            self._cache = {v: k for v, k in self._cache.items() if v > version}
            self._cache[version] = key
        return key

    def create(self, version: int) -> bytes:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = AESGCM.generate_key(bit_length=256)
        _write_durably(self._path(version), base64.urlsafe_b64encode(key).decode())
        _write_durably(self.directory / "newest", str(version))
        with self._lock:
            self._cache[version] = key
        return key

    def destroy_all_but(self, version: int) -> list[int]:
        destroyed = []
        for old in self.versions():
            if old == version:
                continue
            path = self._path(old)
            try:
                with open(path, "r+b") as file:
                    file.write(b"\0" * max(64, os.fstat(file.fileno()).st_size))
                    file.flush()
                    os.fsync(file.fileno())
                path.unlink()
            except FileNotFoundError:
                continue  # destroyed by another process's rotation
            destroyed.append(old)
        with self._lock:
            self._cache = {v: k for v, k in self._cache.items() if v == version}
        _sync_directory(self.directory)
        return destroyed


def _write_durably(path: Path, text: str) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
