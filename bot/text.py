"""Chinese text helpers: one typed wrapper around jieba with the project's user dictionary.

jieba keeps global state; this wrapper owns a private ``jieba.Tokenizer`` so the app and the tests do not depend
on import order. The dictionary files in ``data/dict/`` are the same ones Rasa's JiebaTokenizer loads
(``dictionary_path``), so 专利执行险, 地理标志 and 省市场监管局 stay whole in both.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba

log = logging.getLogger(__name__)

# Function words and question scaffolding that carry no meaning for retrieval.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "等",
        "在",
        "是",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "什么",
        "怎么",
        "怎么办",
        "如何",
        "哪个",
        "哪些",
        "哪里",
        "哪",
        "谁",
        "有",
        "有没有",
        "没有",
        "可以",
        "能",
        "能否",
        "要",
        "想",
        "请问",
        "请",
        "一下",
        "这个",
        "那个",
        "这",
        "那",
        "被",
        "把",
        "对",
        "就",
        "都",
        "也",
        "还",
        "又",
        "给",
        "让",
        "从",
        "向",
        "为",
        "以",
        "及其",
        "或",
        "并",
        "其",
        "之",
        "各",
        "该",
        "本",
        "省",
        "自治区",
        "县",
        "企业",
        "公司",
        "我省",
        "我区",
        "我县",
        "找",
        "部门",
        "单位",
        "负责",
        "规定",
        "方面",
        "问题",
        "相关",
        "关于",
        "进行",
        "开展",
        "加强",
        "推进",
        "推动",
        "建立",
        "健全",
        "完善",
        "强化",
        "加大",
        "依法",
        "积极",
        "有效",
        "工作",
        "机制",
        "制度",
        "知识产权",
        "知识",
        "产权",
        "保护",
    ]
)
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms), collapse blank runs, drop control characters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


class ChineseTokenizer:
    """jieba with the project's user dictionaries; built lazily on first use (jieba's dictionary load ~1 s)."""

    def __init__(self, dictionary_dir: Path, extra_words: Iterable[str] = ()) -> None:
        self._dictionary_dir = dictionary_dir
        self._extra_words = tuple(extra_words)
        self._jieba: jieba.Tokenizer | None = None

    def _tokenizer(self) -> jieba.Tokenizer:
        if self._jieba is None:
            jieba.setLogLevel(logging.WARNING)  # its prefix-dict messages are not ours to print
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for path in sorted(self._dictionary_dir.glob("*.txt")):
                tokenizer.load_userdict(str(path))
            for word in self._extra_words:
                tokenizer.add_word(word, freq=2000)
            self._jieba = tokenizer
        return self._jieba

    def cut(self, text: str) -> list[str]:
        return [token for token in self._tokenizer().lcut(normalize(text)) if token.strip()]

    def words(self, text: str, inner: bool = True) -> tuple[str, ...]:
        """The words of a text, in order, for word-level matching: jieba's cut on the project's dictionary (no HMM
        guesses), and the dictionary words inside a longer token (恶意注册 inside 商标恶意注册); stopwords and
        punctuation dropped (``inner=False``: the tokens only). A word is never a substring across two tokens: 效应 is not in 有效应对 once the
        dictionary cuts it 有效/应对. The plans and the user's message are cut the same way, so "a plan writes X"
        and "the user said X" mean the same thing (tests/answers/test_claims.py)."""
        tokenizer = self._tokenizer()
        found: list[str] = []
        for token in tokenizer.lcut(normalize(text).lower(), HMM=False):
            if not _TOKEN.search(token):
                continue
            found.append(token)
            if inner and len(token) > 2:
                found.extend(
                    token[start:end]
                    for start in range(len(token))
                    for end in range(start + 2, len(token) + 1)
                    if (start, end) != (0, len(token)) and tokenizer.FREQ.get(token[start:end])
                )
        return tuple(dict.fromkeys(w for w in found if w not in STOPWORDS and (len(w) > 1 or w.isdigit())))

    def terms(self, text: str) -> list[str]:
        """Index terms: jieba's search-mode cut (long words and their parts), stopwords and punctuation dropped."""
        tokens = self._tokenizer().lcut_for_search(normalize(text).lower())
        return [t for t in tokens if t.strip() and _TOKEN.search(t) and t not in STOPWORDS]


def sender_tag(sender: str) -> str:
    """A conversation named in logs: a short keyed hash, never the id itself (the id is the visitor's only
    credential). Keyed with a random key per process: an unkeyed hash of ``wechat-<OpenID>`` or ``dingtalk-<staffId>``
    was reversed by hashing guesses (issue 20 N7); these tag the lines of one process run and nothing more."""
    return hmac.new(_tag_key(), sender.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:10]


@functools.cache
def _tag_key() -> bytes:
    return secrets.token_bytes(32)
