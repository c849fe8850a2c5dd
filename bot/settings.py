"""Settings read once by entry points (``__main__`` modules) and passed down; nothing reads the environment
at import time. Tests build ``Settings(...)`` directly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in (value or "").split(",") if part.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'kb.sqlite3'}"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    topics_file: Path = PROJECT_ROOT / "data" / "topics.yml"
    regions_file: Path = PROJECT_ROOT / "data" / "regions.yml"
    dict_dir: Path = PROJECT_ROOT / "data" / "dict"
    # -- gateway (bot/gateway) ----------------------------------------------------------------------------------
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"  # internal: only the gateway talks to Rasa
    rasa_timeout: float = 10.0
    max_message_chars: int = 500
    # Per-client limit on /api/chat (messages per minute, burst); 0 turns it off.
    rate_per_minute: float = 30.0
    rate_burst: int = 10
    # Origins allowed to call /api/chat from the widget on other sites (exact origins, never "*").
    widget_origins: tuple[str, ...] = field(default=())
    # Staff console: disabled (503) until a token is configured.
    staff_token: str = ""
    # WeChat Official Account (公众号): token from the account's server configuration; AES key and AppID for
    # safe mode (消息加解密方式：安全模式).
    wechat_token: str = ""
    wechat_aes_key: str = ""
    wechat_app_id: str = ""
    wechat_reply_chars: int = 600  # longer replies are cut with a "回复“继续”" prompt
    wechat_deadline: float = 4.5  # WeChat drops a passive reply after 5 s
    # Per WeChat user (OpenID): messages per minute and burst; 0 turns the limit off.
    wechat_rate_per_minute: float = 20.0
    wechat_rate_burst: int = 8
    # Redis shared by gateway replicas (WeChat de-duplication and per-user state); empty: in this process only.
    redis_url: str = ""
    # X-Rasa-Replica and Server-Timing on chat answers: for tests and benchmarks (tell which replica answered and
    # how long Rasa took); off in production, where they would disclose internals.
    diagnostic_headers: bool = False

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL may list several replicas, comma-separated; the gateway routes conversations over them."""
        return [url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            seeds_dir=Path(env.get("SEEDS_DIR") or defaults.seeds_dir),
            gateway_host=env.get("GATEWAY_HOST") or defaults.gateway_host,
            gateway_port=int(env.get("GATEWAY_PORT") or defaults.gateway_port),
            rasa_url=(env.get("RASA_URL") or defaults.rasa_url).rstrip("/"),
            rasa_timeout=float(env.get("RASA_TIMEOUT") or defaults.rasa_timeout),
            max_message_chars=int(env.get("MAX_MESSAGE_CHARS") or defaults.max_message_chars),
            rate_per_minute=float(env.get("RATE_LIMIT_PER_MINUTE") or defaults.rate_per_minute),
            rate_burst=int(env.get("RATE_LIMIT_BURST") or defaults.rate_burst),
            widget_origins=_csv(env.get("WIDGET_ORIGINS")),
            staff_token=env.get("STAFF_TOKEN") or "",
            wechat_token=env.get("WECHAT_TOKEN") or "",
            wechat_aes_key=env.get("WECHAT_ENCODING_AES_KEY") or "",
            wechat_app_id=env.get("WECHAT_APP_ID") or "",
            redis_url=env.get("REDIS_URL") or "",
            diagnostic_headers=_flag(env.get("GATEWAY_DIAGNOSTIC_HEADERS")),
            wechat_reply_chars=int(env.get("WECHAT_REPLY_CHARS") or defaults.wechat_reply_chars),
            wechat_rate_per_minute=float(env.get("WECHAT_RATE_LIMIT_PER_MINUTE") or defaults.wechat_rate_per_minute),
            wechat_rate_burst=int(env.get("WECHAT_RATE_LIMIT_BURST") or defaults.wechat_rate_burst),
        )
