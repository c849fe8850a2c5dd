"""Plain HTTP to the servers a test or benchmark started on loopback: an error status is a result, not an
exception, so a test can assert on 4xx/5xx bodies."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 60) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # loopback URLs only
            return Reply(response.status, dict(response.headers), response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))


def post_json(url: str, data: object, timeout: float = 60) -> Reply:
    return fetch(url, json.dumps(data).encode("utf-8"), {"Content-Type": "application/json"}, timeout)
