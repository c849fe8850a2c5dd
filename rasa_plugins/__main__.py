"""Rasa's own command line with this project's plugins installed:

    .venv-rasa/bin/python -m rasa_plugins run --model … --endpoints endpoints.yml …

Same arguments as ``rasa``. The tracker store and the intent classifier are named in endpoints.yml and
config.yml; the action-response check and the slots a new session carries have no setting in Rasa, so they are
installed here, before Rasa starts.
"""

from __future__ import annotations

from rasa.__main__ import main

from rasa_plugins import action_response, session_start

if __name__ == "__main__":
    action_response.install()
    session_start.install()
    main()
