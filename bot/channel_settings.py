"""Settings of the enterprise channels (企业微信, 钉钉, 飞书): ``Settings.channels``, read with the rest of the settings
(``Settings.from_env``). The 公众号's are ``Settings.wechat_*``.

A channel whose settings are absent is not mounted at all (its URL answers 404, like any unknown path). Tests build
``ChannelsConfig(...)`` directly and put it in ``Settings(channels=...)``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WeComConfig:
    """企业微信 self-built application (自建应用) → 接收消息服务器配置."""

    corp_id: str  # 企业ID (CorpID): the receiver id inside every encrypted message
    token: str  # Token
    encoding_aes_key: str  # EncodingAESKey, 43 characters
    agent_id: str = ""  # AgentId; when set, messages for another application are refused
    reply_chars: int = 600  # a text reply may carry 2048 bytes: 600 Chinese characters stay well inside
    deadline: float = 4.5  # WeCom drops a passive reply after 5 s and retries
    # The application's Secret: with it (and AgentId) an operator's reply is sent as an 应用消息; without, it is not.
    secret: str = ""
    api_base: str = "https://qyapi.weixin.qq.com"


@dataclass(frozen=True)
class DingTalkConfig:
    """钉钉 enterprise-internal robot (企业内部机器人), HTTP mode: the AppSecret signs every callback."""

    app_secret: str  # AppSecret of the robot's application (the callback's signing secret)
    app_key: str = ""  # AppKey (robotCode); when set, callbacks for another robot are refused, and replies are sent
    api_base: str = "https://api.dingtalk.com"


@dataclass(frozen=True)
class FeishuConfig:
    """飞书 self-built application with the bot capability and an event subscription (事件订阅)."""

    app_id: str  # App ID (cli_…)
    app_secret: str  # App Secret: exchanged for the tenant_access_token
    verification_token: str  # Verification Token (事件订阅 → 加密策略)
    encrypt_key: str = ""  # Encrypt Key; when set, events must be encrypted and signed
    api_base: str = "https://open.feishu.cn"  # https://open.larksuite.com for Lark
    # Without an Encrypt Key events are unsigned (only the token guards them): the gateway refuses to start unless
    # FEISHU_ALLOW_UNSIGNED=1 says this is meant (a test set-up), and then says so loudly.
    allow_unsigned: bool = False


@dataclass(frozen=True)
class ChannelsConfig:
    wecom: WeComConfig | None = None
    dingtalk: DingTalkConfig | None = None
    feishu: FeishuConfig | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ChannelsConfig:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        wecom = None
        if get("WECOM_CORP_ID") and get("WECOM_TOKEN") and get("WECOM_ENCODING_AES_KEY"):
            wecom = WeComConfig(
                corp_id=get("WECOM_CORP_ID"),
                token=get("WECOM_TOKEN"),
                encoding_aes_key=get("WECOM_ENCODING_AES_KEY"),
                agent_id=get("WECOM_AGENT_ID"),
                reply_chars=int(get("WECOM_REPLY_CHARS") or WeComConfig.reply_chars),
                secret=get("WECOM_SECRET"),
                api_base=(get("WECOM_API_BASE") or WeComConfig.api_base).rstrip("/"),
            )
        dingtalk = None
        if get("DINGTALK_APP_SECRET"):
            dingtalk = DingTalkConfig(
                app_secret=get("DINGTALK_APP_SECRET"),
                app_key=get("DINGTALK_APP_KEY"),
                api_base=(get("DINGTALK_API_BASE") or DingTalkConfig.api_base).rstrip("/"),
            )
        feishu = None
        if get("FEISHU_APP_ID") and get("FEISHU_APP_SECRET") and get("FEISHU_VERIFICATION_TOKEN"):
            feishu = FeishuConfig(
                app_id=get("FEISHU_APP_ID"),
                app_secret=get("FEISHU_APP_SECRET"),
                verification_token=get("FEISHU_VERIFICATION_TOKEN"),
                encrypt_key=get("FEISHU_ENCRYPT_KEY"),
                api_base=(get("FEISHU_API_BASE") or FeishuConfig.api_base).rstrip("/"),
                allow_unsigned=get("FEISHU_ALLOW_UNSIGNED").lower() in ("1", "true", "yes"),
            )
        return cls(
            wecom=wecom,
            dingtalk=dingtalk,
            feishu=feishu,
        )


class ChannelConfigError(ValueError):
    """A channel's settings that the gateway will not start with; the message is Chinese, for the operator."""
