"""Start the assistant's processes and wait until they answer.

    python -m bot.launcher            (what `make run` calls after building the KB and the model)

The action server runs in the app env (rasa-sdk), the Rasa server in the rasa env, as Rasa deploys them; both bind
to 127.0.0.1 only. The gateway (app env) is the one public entry point: chat page, widget, staff console, WeChat.
The e2e tests and the benchmarks use the same ``Stack`` with their own ports and databases.

Rasa's HTTP API is on (``--enable-api``) behind a token (``--auth-token``: every API route, not the channel
webhooks), on loopback like the rest, so that ``python -m bot retrain`` can switch a running Rasa to a new model
(``PUT /model``). The model served is the one a retrain left in ``var/served-model`` when that file exists (the
current data's model may have been refused), else the current data's.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

SERVED_MODEL = Path("var/served-model")  # written by `python -m bot retrain`: the model in service, project-relative
RASA_TOKEN_FILE = Path("var/rasa-token")  # `make run`'s Rasa API token, for `python -m bot retrain` (mode 0600)

# What the gateway reads from the environment (bot.settings.Settings.from_env), passed through by make run.
GATEWAY_SETTINGS = (
    "STAFF_TOKEN",
    "WECHAT_TOKEN",
    "WECHAT_ENCODING_AES_KEY",
    "WECHAT_APP_ID",
    "WECHAT_REPLY_CHARS",
    "WIDGET_ORIGINS",
    "MAX_MESSAGE_CHARS",
    "RASA_TIMEOUT",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_BURST",
    "REDIS_URL",
    "TRUSTED_PROXIES",
    "CONVERSATION_SECRET",
    "STAFF_COOKIE_SECURE",
    "STAFF_SESSION_HOURS",
    "WECHAT_RATE_LIMIT_PER_MINUTE",
    "WECHAT_RATE_LIMIT_BURST",
    "LOGIN_BURST_PER_ADDRESS",
    "LOGIN_BURST_PER_ACCOUNT",
)

# One Rasa process needs no shared lock store; replicas get LOCK_STORE_TYPE=redis through extra_env.
LOCK_STORE_DEFAULTS = {"LOCK_STORE_TYPE": "in_memory", "LOCK_STORE_HOST": "localhost", "LOCK_STORE_PORT": "6379"}

QUIET_RASA = {
    "RASA_TELEMETRY_ENABLED": "false",  # otherwise it retries outbound connections that cannot succeed here
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


@dataclass(frozen=True)
class StackConfig:
    model: Path
    database_url: str
    tracker_url: str
    log_dir: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    gateway_port: int = 8000
    gateway_host: str = "127.0.0.1"
    project: Path = PROJECT_ROOT
    extra_env: dict[str, str] = field(default_factory=dict)
    gateway_env: dict[str, str] = field(default_factory=dict)  # STAFF_TOKEN, WECHAT_TOKEN, WIDGET_ORIGINS …
    extra_rasa_ports: tuple[int, ...] = ()  # more Rasa replicas (scale-out); they share tracker and lock stores
    # X-Rasa-Replica / Server-Timing on chat answers: tests and benchmarks read them; `make run` turns them off.
    diagnostic_headers: bool = True
    # Shared secret between Rasa and the action server (endpoints.yml `token`); random per stack unless given.
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    # Client-chosen conversation ids accepted (benchmarks and older tests post their own); `make run` refuses them.
    client_conversation_ids: bool = True
    # Rasa's HTTP API token (status and model switch, loopback only); random per stack unless given.
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def rasa_ports(self) -> tuple[int, ...]:
        return (self.rasa_port, *self.extra_rasa_ports)

    @staticmethod
    def rasa_name(replica: int) -> str:
        return "rasa" if replica == 0 else f"rasa-{replica}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{self.host}:{port}" for port in self.rasa_ports]

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def gateway_url(self) -> str:
        host = "127.0.0.1" if self.gateway_host in ("0.0.0.0", "::") else self.gateway_host
        return f"http://{host}:{self.gateway_port}"


class StackError(RuntimeError):
    pass


class Stack:
    """The action server and the Rasa server as child processes; a context manager that stops them."""

    def __init__(self, config: StackConfig, with_gateway: bool = False) -> None:
        self.config = config
        self.with_gateway = with_gateway
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start_actions(self) -> None:
        c = self.config
        env = {
            **os.environ,
            **c.extra_env,
            "DATABASE_URL": c.database_url,
            "SANIC_HOST": c.host,
            "ACTION_SERVER_TOKEN": c.action_token,
        }
        self._spawn(
            "actions",
            [
                str(c.project / ".venv/bin/python"),
                "-m",
                "bot.action_server",
                "--actions",
                "actions",
                "--port",
                str(c.action_port),
                "--quiet",
            ],
            env,
        )

    def start_rasa(self, replica: int = 0) -> None:
        c = self.config
        env = {
            **os.environ,
            **QUIET_RASA,
            **LOCK_STORE_DEFAULTS,
            **c.extra_env,
            "ACTION_ENDPOINT_URL": f"{c.action_url}/webhook",
            "ACTION_SERVER_TOKEN": c.action_token,
            "TRACKER_STORE_URL": c.tracker_url,
        }
        self._spawn(
            c.rasa_name(replica),
            [
                str(c.project / ".venv-rasa/bin/python"),
                "-m",
                "rasa_plugins",  # Rasa's CLI with the project's plugins installed (rasa_plugins/__main__.py)
                "run",
                "--model",
                str(c.model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--interface",
                c.host,
                "--port",
                str(c.rasa_ports[replica]),
                "--enable-api",  # GET /status, PUT /model (a retrain's switch); every API route needs the token
                f"--auth-token={c.rasa_token}",  # joined: a token_urlsafe may begin with "-", read as an option
            ],
            env,
        )

    def start_gateway(self) -> None:
        c = self.config
        env = {
            **os.environ,
            "GATEWAY_DIAGNOSTIC_HEADERS": "1" if c.diagnostic_headers else "0",
            "ACCEPT_CLIENT_CONVERSATION_IDS": "1" if c.client_conversation_ids else "0",
            **c.extra_env,
            **c.gateway_env,
            "DATABASE_URL": c.database_url,
            "TRACKER_STORE_URL": c.tracker_url,  # the console's 统计 page reads Rasa's events (read-only)
            "RASA_URL": ",".join(c.rasa_urls),
            "GATEWAY_HOST": c.gateway_host,
            "GATEWAY_PORT": str(c.gateway_port),
        }
        self._spawn("gateway", [str(c.project / ".venv/bin/python"), "-m", "bot.gateway"], env)

    def start(self, gateway: bool = False) -> None:
        self.start_actions()
        for replica in range(len(self.config.rasa_ports)):
            self.start_rasa(replica)
        if gateway:
            self.start_gateway()

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log_file = (self.config.log_dir / f"{name}.log").open("ab")
        shown = [
            "…" if flag == "--auth-token" else part for flag, part in zip(["", *command[:-1]], command, strict=True)
        ]
        log.info("starting %s: %s", name, " ".join(shown))  # the API token stays out of the log
        self.processes[name] = subprocess.Popen(
            command, cwd=self.config.project, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 300) -> None:
        """Poll until the action server is healthy and Rasa has loaded its model ("Hello from Rasa")."""
        deadline = time.monotonic() + timeout
        checks = {
            "actions": f"{self.config.action_url}/health",
            "gateway": f"{self.config.gateway_url}/healthz",
            **{self.config.rasa_name(i): f"{url}/" for i, url in enumerate(self.config.rasa_urls)},
        }
        pending = {name: url for name, url in checks.items() if name in self.processes}
        while pending:
            for name, url in list(pending.items()):
                process = self.processes[name]
                if process.poll() is not None:
                    raise StackError(
                        f"{name} exited with code {process.returncode}; see {self.config.log_dir}/{name}.log"
                    )
                if responds_with(url, "Hello from Rasa" if name.startswith("rasa") else "ok"):
                    del pending[name]
            if pending and time.monotonic() > deadline:
                raise StackError(
                    f"not ready after {timeout:.0f} s: {', '.join(pending)} (logs in {self.config.log_dir})"
                )
            time.sleep(0.5)

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> Stack:
        self.start(gateway=self.with_gateway)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def responds_with(url: str, expected: str) -> bool:
    """True when a GET of ``url`` answers with a body containing ``expected`` (readiness of a server we started)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # loopback URL we built
            return expected in response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return False


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def default_config(environ: dict[str, str] | None = None) -> StackConfig:
    env = os.environ if environ is None else environ
    var = PROJECT_ROOT / "var"
    model = (
        env.get("RASA_MODEL")
        or subprocess.run(
            [str(PROJECT_ROOT / "scripts/model.sh"), "path"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    return StackConfig(
        model=PROJECT_ROOT / model,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var / 'kb.sqlite3'}",
        tracker_url=env.get("TRACKER_STORE_URL") or f"sqlite:///{var / 'tracker.sqlite3'}",
        log_dir=var / "log",
        rasa_port=int(env.get("RASA_PORT", "5005")),
        action_port=int(env.get("ACTION_PORT", "5055")),
        gateway_port=int(env.get("GATEWAY_PORT", "8000")),
        gateway_host=env.get("GATEWAY_HOST", "127.0.0.1"),
        gateway_env={key: env[key] for key in GATEWAY_SETTINGS if key in env},
        action_token=env.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32),
        rasa_token=env.get("RASA_AUTH_TOKEN") or secrets.token_urlsafe(32),
    )


def pinned_model(project: Path = PROJECT_ROOT, pointer: Path | None = None) -> Path | None:
    """The model a retrain left in service (``var/served-model``, or ``pointer``), when it names an existing file."""
    pointer = pointer or project / SERVED_MODEL
    named = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else ""
    model = project / named
    return model if named and model.is_file() else None


def _keep_token(token: str) -> Path:
    """Write the Rasa API token where only this user can read it, for `python -m bot retrain` to switch models."""
    path = PROJECT_ROOT / RASA_TOKEN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(token)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.launcher", description="启动动作服务器和 Rasa 服务器")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = dataclasses.replace(default_config(), diagnostic_headers=False, client_conversation_ids=False)
    pinned = None if os.environ.get("RASA_MODEL") else pinned_model()
    if pinned is not None and pinned != config.model:
        print(
            f"使用模型 {pinned.name}：{SERVED_MODEL} 记录的在用模型（当前训练数据的模型 {config.model.name} "
            "未经重训练评测切换；要换用它，请运行 make retrain，不低于下限且不比在用模型差才会切换）",
            flush=True,
        )
        config = dataclasses.replace(config, model=pinned)
    else:
        why = "RASA_MODEL 指定" if os.environ.get("RASA_MODEL") else "当前训练数据的模型"
        print(f"使用模型 {config.model.name}：{why}", flush=True)
    if not config.model.is_file():
        print(f"模型文件不存在：{config.model}。请先运行 `make train`。", file=sys.stderr)
        return 1
    if "STAFF_TOKEN" not in config.gateway_env:
        # No token configured: make one for this run only. It opens the console only while no operator account
        # exists (to create the first one with); the console is never open by default.
        config.gateway_env["STAFF_TOKEN"] = secrets.token_urlsafe(32)
        print(f"未配置 STAFF_TOKEN，本次运行的工作台初始口令：{config.gateway_env['STAFF_TOKEN']}", flush=True)
    stack = Stack(config, with_gateway=True)
    # Ctrl-C, `kill` or a service manager's stop: always take the servers down with us. (SIGINT is set explicitly:
    # a shell starting us in the background leaves it ignored.)
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _interrupt)
    print("正在启动动作服务器、Rasa 服务器和网关（Rasa 加载模型约需 1 分钟）…", flush=True)
    try:
        _keep_token(config.rasa_token)
        stack.start(gateway=True)
        stack.wait_ready()
        print(f"就绪。聊天页面：{config.gateway_url}/", flush=True)
        print(f"      嵌入示例：{config.gateway_url}/widget-demo    热线工作台：{config.gateway_url}/staff", flush=True)
        print(
            "      第一个工作人员账号：另开终端运行 `make operator NAME=用户名`（或用上面的初始口令登录，用户名留空）",
            flush=True,
        )
        print(f"      Rasa 与动作服务器仅监听本机；日志：{config.log_dir}。按 Ctrl-C 停止。", flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("有进程意外退出，请查看日志。", file=sys.stderr)
        return 1
    except StackError as error:
        print(f"启动失败：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()
        (PROJECT_ROOT / RASA_TOKEN_FILE).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
