"""The gateway's logs: one line per entry, whatever a client puts in a request.

Access log: client, method, path, status, size, time — never the query string. WeChat signs its requests in the
query string (``signature``, ``timestamp``, ``nonce``, ``msg_signature``), staff search terms are in it, and a log
line is read by more people than the requests were: aiohttp's default ``%r`` (the whole request line) would keep
them all. The path alone says which endpoint was called, and it is logged as sent (percent-encoded), not decoded:
``/api/clauses/x%0A2026-12-02 … "POST /staff/login" 303`` decoded into a second, forged line (issue 20 N4).

``OneLineFormatter`` escapes control characters (CR, LF, ESC, C1, line and paragraph separators, bidi controls)
in every log message of the gateway process, so no message — whatever a value in it came from — can forge a line,
move the cursor of a terminal or reorder what a reader sees. Tracebacks keep their lines.
"""

from __future__ import annotations

import logging
import re

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

MAX_PATH = 300
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with every control character written as ``\\xNN`` / ``\\uNNNN``."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class OneLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(record.message)
        return super().formatMessage(record)


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        path = request.rel_url.raw_path
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            one_line(str(request.remote)),
            one_line(request.method[:20]),
            one_line(path if len(path) <= MAX_PATH else path[:MAX_PATH] + "…"),
            response.status,
            response.body_length,
            time,
        )
