"""Which model Rasa serves, and switching it without downtime.

Rasa's HTTP API (``--enable-api``, the launcher turns it on behind ``--auth-token``, loopback only): ``GET /status``
names the loaded model file; ``PUT /model {"model_file": <absolute path>}`` loads another in the running process and
answers once it serves it (measured: 0.3–0.4 s for this project's model, during which the process answers nothing
new and requests simply wait). Replicas are switched one at a time, each confirmed by ``/status`` before the next,
so the others keep answering; when one fails to load, those already switched are switched back.

``var/served-model`` (``bot.launcher.SERVED_MODEL``) records the model in service for the next start.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.launcher import SERVED_MODEL

log = logging.getLogger(__name__)


class SwitchError(RuntimeError):
    """A replica did not take the new model (it was switched back, with any replica switched before it)."""


@dataclass(frozen=True)
class RasaApi:
    """The Rasa replicas of the running stack and the token of their HTTP API."""

    urls: tuple[str, ...]
    token: str = field(repr=False)
    load_timeout: float = 300.0

    def _request(self, url: str, method: str = "GET", body: object = None, timeout: float = 5.0) -> bytes:
        query = urllib.parse.urlencode({"token": self.token})
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            f"{url}?{query}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # loopback replicas of our own stack
            return bytes(response.read())

    def status(self, url: str) -> str | None:
        """The model file the replica serves (its name), or None when it cannot be asked (down, API off, token)."""
        try:
            found = json.loads(self._request(f"{url}/status"))
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.info("Rasa at %s cannot be asked for its model: %s", url, error)
            return None
        name = found.get("model_file") if isinstance(found, dict) else None
        return Path(name).name if isinstance(name, str) and name else None

    def load(self, url: str, model: Path) -> None:
        self._request(f"{url}/model", "PUT", {"model_file": str(model.resolve())}, timeout=self.load_timeout)

    def wait_serving(self, url: str, model: Path, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status(url) == model.name:
                return True
            time.sleep(0.2)
        return False


def served_by(api: RasaApi) -> tuple[str | None, list[str]]:
    """The model the running replicas serve (the first that answers) and the replicas that answered."""
    answered = [(url, name) for url in api.urls if (name := api.status(url)) is not None]
    return (answered[0][1] if answered else None), [url for url, _ in answered]


def switch(api: RasaApi, urls: Sequence[str], model: Path, back_to: Path, progress: Callable[[str], None]) -> None:
    """Load ``model`` on each replica in turn, each confirmed before the next; on a failure switch the replicas
    already done back to ``back_to`` and raise ``SwitchError``."""
    done: list[str] = []
    for url in urls:
        progress(f"    {url} 加载 {model.name} …")
        started = time.monotonic()
        try:
            api.load(url, model)
            if not api.wait_serving(url, model):
                raise SwitchError(f"{url} 没有报告新模型")
        except (urllib.error.URLError, OSError, SwitchError) as error:
            for earlier in [*done, url]:
                try:
                    api.load(earlier, back_to)
                except (urllib.error.URLError, OSError):
                    log.exception("could not switch %s back to %s", earlier, back_to.name)
            raise SwitchError(f"{url} 未能加载新模型（{error}），已切回 {back_to.name}") from error
        done.append(url)
        progress(f"    {url} 已切换（{time.monotonic() - started:.1f} 秒）")


def project_path(project: Path, model: Path) -> str:
    """The model as ``var/served-model`` names it: relative to the project when inside it."""
    resolved = model.resolve()
    return str(resolved.relative_to(project.resolve())) if resolved.is_relative_to(project.resolve()) else str(resolved)


def pin(project: Path, state: Path, model: Path) -> Path:
    """Record ``model`` as the one in service (``<state>/served-model``; ``state`` is the project's var/)."""
    pointer = state / SERVED_MODEL.name
    pointer.parent.mkdir(parents=True, exist_ok=True)
    partial = pointer.with_suffix(".tmp")
    partial.write_text(project_path(project, model) + "\n", encoding="utf-8")
    partial.replace(pointer)
    return pointer
