"""A throwaway PostgreSQL server on loopback from Debian's binaries, for tests that need the real thing.

initdb refuses to run as root, so as root the server runs as the ``postgres`` system user (created by Debian's
package). Trust authentication on 127.0.0.1 only; the data directory is deleted afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port


class PostgresUnavailable(RuntimeError):
    pass


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise PostgresUnavailable(
            f"PostgreSQL server binaries not found ({name}); install Debian's postgresql package (.ci/run does this)."
        )
    return found[-1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def temporary_postgres(database: str = "ipr_test") -> Iterator[str]:
    """Start a server, create ``database`` and yield its SQLAlchemy URL; stop and delete it afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="ipr-pg-"))
    data = workdir / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    try:
        subprocess.run(
            _as_server_user(
                [_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_server_user(
                [
                    _binary("pg_ctl"),
                    "-D",
                    str(data),
                    "-w",
                    "-l",
                    str(workdir / "log"),
                    "-o",
                    f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_server_user([_binary("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database]),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(_as_server_user([_binary("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
