"""Bot messages as WeChat text: buttons become numbered options, long answers are cut with "回复“继续”"."""

from __future__ import annotations

from bot.gateway.rasa_client import BotMessage

MORE = "\n（内容较长，回复“继续”查看剩余部分）"
CHOOSE = "回复数字选择："
MAX_OPTIONS = 9


def render(messages: list[BotMessage]) -> tuple[str, list[str]]:
    """The text to show and the payloads its numbered options stand for."""
    texts = [m.text for m in messages if m.text]
    buttons = [b for m in messages for b in m.buttons][:MAX_OPTIONS]
    if buttons:
        texts.append(CHOOSE + "\n" + "\n".join(f"{n}. {b.title}" for n, b in enumerate(buttons, start=1)))
    return "\n\n".join(texts), [b.payload for b in buttons]


def split_for_wechat(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at line ends where possible."""
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def first_with_more(parts: list[str]) -> str:
    return parts[0] + (MORE if len(parts) > 1 else "")
