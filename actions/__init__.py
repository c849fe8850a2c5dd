"""Custom actions for the Rasa assistant (rasa-sdk), one module per concern, all on ``bot.kb``'s query layer.

rasa-sdk discovers every concrete ``Action`` subclass in this package and creates it with no arguments, so the
shared pieces are plain functions and lazily opened resources (no I/O at import time).
"""
