"""The knowledge base: seed plans → parsed records → SQL tables → an in-memory query layer.

Data flows one way: ``parse`` (pure text → dataclasses) → ``load`` (idempotent SQL build) → ``query`` (read-only
snapshot with retrieval). Nothing here imports the gateway or the actions.
"""
