"""The single public entry point: web chat page, embeddable widget, staff console and WeChat channel.

Rasa and the action server stay on loopback; everything a user or staff member sends comes through here, is
checked and limited here, and reaches Rasa only through ``rasa_client``.
"""
