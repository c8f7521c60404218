"""Online backups and restores of the database (SQLite backup API; pg_dump / pg_restore)."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: sa.engine.URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return url.database


def _pg_args(url: sa.engine.URL) -> list[str]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args


def backup(database_url: str, destination: Path) -> Path:
    """Write a consistent backup of a live database to ``destination``.

    SQLite: the online backup API copies a consistent snapshot while the site keeps writing.
    PostgreSQL: ``pg_dump -Fc`` takes one snapshot in a single transaction.

    :raise BackupError: when the tool fails (its message is included).
    """
    url = sa.engine.make_url(database_url)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        env_pw = {"PGPASSWORD": url.password} if url.password else {}
        run = subprocess.run(["pg_dump", "-Fc", "-f", str(destination), *_pg_args(url), url.database],
                             capture_output=True, text=True, env={**_base_env(), **env_pw})
        if run.returncode:
            raise BackupError(run.stderr.strip())
    else:
        raise BackupError(f"不支持的数据库: {url.get_backend_name()}")
    return destination


def restore(backup_file: Path, database_url: str) -> None:
    """Restore ``backup_file`` into the database at ``database_url`` (replacing its contents).

    Stop the site first (SQLite: the file is replaced; PostgreSQL: objects are dropped and
    re-created with ``pg_restore --clean``).

    :raise BackupError: when the tool fails.
    """
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(_sqlite_path(url))
        check = sqlite3.connect(backup_file)
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.close()
        if ok != "ok":
            raise BackupError(f"备份文件损坏: {ok}")
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(backup_file, path)
    elif url.get_backend_name() == "postgresql":
        env_pw = {"PGPASSWORD": url.password} if url.password else {}
        run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", url.database,
                              *_pg_args(url), str(backup_file)], capture_output=True, text=True,
                             env={**_base_env(), **env_pw})
        if run.returncode:
            raise BackupError(run.stderr.strip())
    else:
        raise BackupError(f"不支持的数据库: {url.get_backend_name()}")


def _base_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PGSSLMODE")}
