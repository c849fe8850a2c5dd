"""Checks that run in the rasa env (which has no pytest): ``rasa_plugins`` against Rasa's own classes."""
