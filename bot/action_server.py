"""The action server (rasa-sdk) behind a shared secret: ``python -m bot.action_server --actions actions``.

rasa-sdk's webhook has no authentication: anyone who can reach it can run any action for a tracker they made up
(write handoff cases and feedback in anyone's name, read what the knowledge base answers with their slots). Rasa
sends the secret configured in endpoints.yml (``action_endpoint: token: ${ACTION_SERVER_TOKEN}``) as the query
parameter ``?token=`` on every call (rasa.utils.endpoints.EndpointConfig.combine_parameters); this wrapper starts
the same rasa-sdk app with a request middleware that answers 401 to any call without it. ``/health`` stays open
for readiness probes. CORS is off: no browser has any business here.

``ACTION_SERVER_TOKEN`` must be at least 32 characters; without it the server does not start.

rasa-sdk 3.21 (the newest, on the app env's maintained Python 3.11) serves Rasa 3.6.21: the webhook contract is
the same JSON (``next_action``, ``tracker``, ``domain``, ``version`` in; ``events`` and ``responses`` out), and
tests/e2e/test_action_contract.py runs every action, slot and event type the product uses through the real Rasa
3.6.21 server. rasa-sdk warns on every new Rasa version it sees that "3.6" is not "3.21"; that test, not the
version number, is what says they agree, so the warning is filtered. rasa-sdk 3.21's ``create_app`` takes an
``ActionExecutor`` (3.6.2's took the package name) and Sanic 25 starts apps through an ``AppLoader``: one process when
``ACTION_SERVER_SANIC_WORKERS`` is 1 (the default, as under Sanic 21), a worker manager that builds the guarded
app in each worker otherwise.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
import warnings
from functools import partial
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.worker.loader import AppLoader

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


def build_app(actions_package: str, token: str) -> Sanic[Any, Any]:
    """rasa-sdk's app for the actions in ``actions_package`` behind the secret (module level: workers rebuild it)."""
    warnings.filterwarnings("ignore", message=r"Your versions of rasa and rasa_sdk might not be compatible")
    executor = ActionExecutor()
    executor.register_package(actions_package)
    app: Sanic[Any, Any] = create_app(executor, cors_origins=None)
    guard(app, token)
    return app


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
    loader = AppLoader(factory=partial(build_app, args.actions_module or args.actions, token))
    app = loader.load()
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    workers = utils.number_of_sanic_workers()
    app.prepare(host=host, port=args.port, workers=workers, access_log=False, motd=False, single_process=workers == 1)
    if workers == 1:
        Sanic.serve_single(app)
    else:
        Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
