"""The action server (rasa-sdk) behind a shared secret: ``python -m bot.action_server --actions actions``.

rasa-sdk's webhook has no authentication: anyone who can reach it can run any action for a tracker they made up
(write handoff cases and feedback in anyone's name, read what the knowledge base answers with their slots). Rasa
sends the secret configured in endpoints.yml (``action_endpoint: token: ${ACTION_SERVER_TOKEN}``) as the query
parameter ``?token=`` on every call (rasa.utils.endpoints.EndpointConfig.combine_parameters); this wrapper starts
the same rasa-sdk app with a request middleware that answers 401 to any call without it. ``/health`` stays open
for readiness probes. CORS is off: no browser has any business here.

``ACTION_SERVER_TOKEN`` must be at least 32 characters; without it the server does not start.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser
from sanic import response

MIN_TOKEN = 32
TOKEN_PARAMETER = "token"  # EndpointConfig's default token_name
OPEN_PATHS = frozenset({"/health"})


def guard(app: Any, token: str) -> None:
    """Every request but /health must carry ``?token=`` equal to ``token`` (compared in constant time)."""
    expected = token.encode("utf-8")

    async def check_token(request: Any) -> Any:
        if request.path in OPEN_PATHS:
            return None
        offered = request.args.get(TOKEN_PARAMETER, "")
        if not hmac.compare_digest(offered.encode("utf-8", "replace"), expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    app.register_middleware(check_token, "request")


def main(argv: list[str] | None = None) -> int:
    args = create_argument_parser().parse_args(argv)
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < MIN_TOKEN:
        print(f"动作服务器无法启动：ACTION_SERVER_TOKEN 至少需要{MIN_TOKEN}个字符。", file=sys.stderr)
        return 1
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = create_app(args.actions, cors_origins=None)
    guard(app, token)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
