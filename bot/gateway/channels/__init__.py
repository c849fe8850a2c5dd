"""The chat channels — 公众号 (``/wechat``), 企业微信 (``/wecom``), 钉钉 (``/dingtalk``), 飞书 (``/feishu``) — on one
channel layer (``base.py``: ``Dialogue``): each platform module verifies, parses and renders; ``Dialogue`` does the
rest. ``mount.add_channels`` puts them on the gateway. Nothing is imported here, so a platform module importing its
siblings never runs this package's code half-way (no import circle)."""
