"""The example questions offered to someone who has not asked yet — the greeting's buttons in every channel and the
chips of the chat page and widget (``/api/info``) — written once. Each is answered from the plans (tested in
``tests/e2e/test_conversations.py``)."""

from __future__ import annotations

EXAMPLES = (
    "贵州企业海外维权找谁？",
    "有人在网上卖我们品牌的假货怎么办",
    "西藏驰名商标有奖励吗",
)
