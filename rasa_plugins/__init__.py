"""Code that runs inside the Rasa server (the rasa env), each piece measured in bench/results/levers.md:

- ``tracker_store``: Rasa's SQL tracker store with less work per turn (named in endpoints.yml);
- ``intent_classifier``: Rasa's logistic-regression intent classifier with its weights laid out for one message at
  a time (named in config.yml);
- ``action_response`` and ``session_start``: two corrections to Rasa's own code that have no setting, installed by
  ``python -m rasa_plugins`` (Rasa's CLI), which the launcher and the Rasa image run.

``bot/`` and ``actions/`` never import this package, and it imports nothing from them.
"""
