"""Settings read once by entry points (``__main__`` modules) and passed down; nothing reads the environment
at import time. Tests build ``Settings(...)`` directly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.channel_settings import ChannelsConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_STAFF_TOKEN = 32  # a shorter STAFF_TOKEN is refused: the gateway does not start


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in (value or "").split(",") if part.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'kb.sqlite3'}"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    topics_file: Path = PROJECT_ROOT / "data" / "topics.yml"
    subjects_file: Path = PROJECT_ROOT / "data" / "subjects.yml"
    needs_file: Path = PROJECT_ROOT / "data" / "needs.yml"
    steps_dir: Path = PROJECT_ROOT / "data" / "steps"
    regions_file: Path = PROJECT_ROOT / "data" / "regions.yml"
    dict_dir: Path = PROJECT_ROOT / "data" / "dict"
    # -- gateway (bot/gateway) ----------------------------------------------------------------------------------
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"  # internal: only the gateway talks to Rasa
    rasa_timeout: float = 10.0
    # A new Rasa session (slots carried over) after this many messages of a conversation, so a long conversation
    # costs per turn what a short one does (bench-long); 0 never restarts.
    rasa_session_turns: int = 30
    max_message_chars: int = 500
    # Per-client limit on /api/chat (messages per minute, burst); 0 turns it off.
    rate_per_minute: float = 30.0
    rate_burst: int = 10
    # Origins allowed to call /api/chat from the widget on other sites (exact origins, never "*").
    widget_origins: tuple[str, ...] = field(default=())
    # Staff console: operator accounts (python -m bot.gateway.staff_accounts); STAFF_TOKEN (>= 32 characters)
    # logs in only while no account exists, to create the first one. Neither: the console is closed (503).
    staff_token: str = ""
    staff_session_hours: float = 8.0
    staff_cookie_secure: bool = False  # set behind a TLS proxy (STAFF_COOKIE_SECURE=1)
    # WeChat Official Account (公众号): token from the account's server configuration; AES key and AppID for
    # safe mode (消息加解密方式：安全模式).
    wechat_token: str = ""
    wechat_aes_key: str = ""
    wechat_app_id: str = ""
    # AppSecret: with it (and the AppID) an operator's reply reaches the user as a 客服消息; without, only by 查询.
    wechat_app_secret: str = ""
    # A YAML file that seeds the service directory (服务目录) at start; staff keep it in the console after that.
    service_directory: Path | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_chars: int = 600  # longer replies are cut with a "回复“继续”" prompt
    wechat_deadline: float = 4.5  # WeChat drops a passive reply after 5 s
    # Per WeChat user (OpenID): messages per minute and burst; 0 turns the limit off.
    wechat_rate_per_minute: float = 20.0
    wechat_rate_burst: int = 8
    # Staff logins: this many tries per client address and per account name, then one more every 45 s / 3 min.
    login_burst_per_address: int = 20
    login_burst_per_account: int = 5
    # 企业微信, 钉钉, 飞书 (bot/channel_settings.py): each mounted only when its settings are present.
    channels: ChannelsConfig = field(default_factory=ChannelsConfig)
    # Redis shared by gateway replicas (WeChat de-duplication and per-user state); empty: in this process only.
    redis_url: str = ""
    # X-Rasa-Replica and Server-Timing on chat answers: for tests and benchmarks (tell which replica answered and
    # how long Rasa took); off in production, where they would disclose internals.
    diagnostic_headers: bool = False
    # Reverse proxies (addresses or networks) whose X-Forwarded-For / -Proto / -Host are believed; nobody else's.
    trusted_proxies: tuple[str, ...] = field(default=())
    # Signs the web chat's conversation ids; set the same on every gateway replica (random per process if empty).
    conversation_secret: str = ""
    # Accept client-chosen conversation ids ([A-Za-z0-9_-]{8,64}) as before: only for test and benchmark stacks
    # whose clients do not fetch an id. Never in production (anyone could continue anyone's conversation).
    accept_client_ids: bool = False
    # -- the office behind the assistant: shown in the page header and welcome, and answered when asked ("电话多少",
    # "几点上班", "多久回复"); empty = not published, and the assistant says so instead of inventing one.
    hotline_number: str = ""  # e.g. "0851-12345" (HOTLINE_NUMBER)
    service_hours: str = ""  # e.g. "工作日 9:00–17:00" (SERVICE_HOURS)
    handoff_response_time: str = ""  # e.g. "1个工作日" (HANDOFF_RESPONSE_TIME): the promise made after 转人工
    # -- privacy (bot/store/privacy.py) ---------------------------------------------------------------------------
    retention_days: int = 180  # conversations and records older than this are deleted by `python -m bot.store purge`
    tracker_store_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.sqlite3'}"  # Rasa's (for purge/delete)

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
            rasa_session_turns=int(env.get("RASA_SESSION_TURNS") or defaults.rasa_session_turns),
            max_message_chars=int(env.get("MAX_MESSAGE_CHARS") or defaults.max_message_chars),
            rate_per_minute=float(env.get("RATE_LIMIT_PER_MINUTE") or defaults.rate_per_minute),
            rate_burst=int(env.get("RATE_LIMIT_BURST") or defaults.rate_burst),
            widget_origins=_csv(env.get("WIDGET_ORIGINS")),
            staff_token=env.get("STAFF_TOKEN") or "",
            staff_session_hours=float(env.get("STAFF_SESSION_HOURS") or defaults.staff_session_hours),
            staff_cookie_secure=_flag(env.get("STAFF_COOKIE_SECURE")),
            wechat_token=env.get("WECHAT_TOKEN") or "",
            wechat_aes_key=env.get("WECHAT_ENCODING_AES_KEY") or "",
            wechat_app_id=env.get("WECHAT_APP_ID") or "",
            wechat_app_secret=env.get("WECHAT_APP_SECRET") or "",
            service_directory=Path(env["SERVICE_DIRECTORY"]) if env.get("SERVICE_DIRECTORY") else None,
            wechat_api_base=(env.get("WECHAT_API_BASE") or defaults.wechat_api_base).rstrip("/"),
            channels=ChannelsConfig.from_env(env),
            redis_url=env.get("REDIS_URL") or "",
            diagnostic_headers=_flag(env.get("GATEWAY_DIAGNOSTIC_HEADERS")),
            trusted_proxies=_csv(env.get("TRUSTED_PROXIES")),
            conversation_secret=env.get("CONVERSATION_SECRET") or "",
            accept_client_ids=_flag(env.get("ACCEPT_CLIENT_CONVERSATION_IDS")),
            retention_days=int(env.get("RETENTION_DAYS") or defaults.retention_days),
            hotline_number=(env.get("HOTLINE_NUMBER") or "").strip()[:40],
            service_hours=(env.get("SERVICE_HOURS") or "").strip()[:60],
            handoff_response_time=(env.get("HANDOFF_RESPONSE_TIME") or "").strip()[:40],
            tracker_store_url=env.get("TRACKER_STORE_URL") or defaults.tracker_store_url,
            wechat_reply_chars=int(env.get("WECHAT_REPLY_CHARS") or defaults.wechat_reply_chars),
            wechat_rate_per_minute=float(env.get("WECHAT_RATE_LIMIT_PER_MINUTE") or defaults.wechat_rate_per_minute),
            wechat_rate_burst=int(env.get("WECHAT_RATE_LIMIT_BURST") or defaults.wechat_rate_burst),
            login_burst_per_address=int(env.get("LOGIN_BURST_PER_ADDRESS") or defaults.login_burst_per_address),
            login_burst_per_account=int(env.get("LOGIN_BURST_PER_ACCOUNT") or defaults.login_burst_per_account),
        )
