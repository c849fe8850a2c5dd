"""The reference for capacity figures: the bot ``rasa init`` makes, with Rasa's default config, served by the same
Rasa 3.6.21 on the same kind of tracker store (and the same Redis lock store with replicas) as ours.

    with bare_rasa(root, replicas=1, tracker_url="sqlite:///…") as urls: …   (bench/load.py --reference)

The project is made once by ``rasa init --no-prompt`` (which also trains it: a few minutes on 2 cores) and kept
in ~/.cache/ipr-assistant/bare/, keyed by the Rasa version. It needs no action server: its replies are responses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bot.launcher import PROJECT_ROOT, QUIET_RASA, responds_with
from tests.support.ports import free_port

RASA_VERSION = "3.6.21"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ipr-assistant" / "bare"
# What a person says to the moodbot `rasa init` makes, one conversation after another.
CONVERSATIONS = [
    ["hello", "I am feeling sad", "yes", "goodbye"],
    ["hi", "great", "are you a bot?", "bye"],
]


def project() -> Path:
    """The ``rasa init`` project with its trained model, made on first use."""
    directory = CACHE / f"rasa-init-{RASA_VERSION}"
    if not list((directory / "models").glob("*.tar.gz")):
        scratch = CACHE / f"rasa-init-{RASA_VERSION}.tmp"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        print(f"==> rasa init (trains the reference bot once; a few minutes) in {directory}", flush=True)
        rasa = PROJECT_ROOT / ".venv-rasa/bin/rasa"
        subprocess.run(
            [str(rasa), "init", "--no-prompt", "--init-dir", str(scratch)],
            check=True,
            env={**os.environ, **QUIET_RASA},
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(directory, ignore_errors=True)
        scratch.rename(directory)
    return directory


def _endpoints(tracker_url: str, redis_port: int | None) -> str:
    lines = ["tracker_store:", "  type: SQL", f"  url: {tracker_url}"]
    if redis_port:
        lines += ["lock_store:", "  type: redis", "  url: 127.0.0.1", f"  port: {redis_port}"]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def bare_rasa(root: Path, replicas: int, tracker_url: str, redis_port: int | None = None) -> Iterator[list[str]]:
    """Start ``replicas`` Rasa servers of the reference bot; yields their base URLs and stops them."""
    bot = project()
    model = sorted((bot / "models").glob("*.tar.gz"))[-1]
    root.mkdir(parents=True, exist_ok=True)
    endpoints = root / "endpoints.yml"
    endpoints.write_text(_endpoints(tracker_url, redis_port), encoding="utf-8")
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for replica in range(replicas):
            port = free_port()
            log = (root / f"bare-rasa-{replica}.log").open("ab")
            command = [str(PROJECT_ROOT / ".venv-rasa/bin/rasa"), "run", "--model", str(model)]
            command += ["--endpoints", str(endpoints), "--interface", "127.0.0.1", "--port", str(port)]
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=bot,
                    env={**os.environ, **QUIET_RASA},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        _wait_ready(urls, processes, root)
        yield urls
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)


def _wait_ready(urls: list[str], processes: list[subprocess.Popen[bytes]], root: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    pending = set(urls)
    while pending:
        for url, process in zip(urls, processes, strict=True):
            if process.poll() is not None:
                raise RuntimeError(f"the reference Rasa exited ({process.returncode}); see {root}/bare-rasa-*.log")
            if url in pending and responds_with(f"{url}/", "Hello from Rasa"):
                pending.discard(url)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"the reference Rasa was not ready after {timeout:.0f} s (logs in {root})")
        time.sleep(0.5)
