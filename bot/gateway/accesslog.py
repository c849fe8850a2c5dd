"""The gateway's access log: client, method, path, status, size, time — never the query string.

WeChat signs its requests in the query string (``signature``, ``timestamp``, ``nonce``, ``msg_signature``), staff
search terms are in it, and a log line is read by more people than the requests were: aiohttp's default ``%r``
(the whole request line) would keep them all. The path alone says which endpoint was called.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
        )
