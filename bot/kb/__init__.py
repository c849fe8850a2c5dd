"""The knowledge base: seed plans → parsed records → SQL tables → an in-memory query layer.

Data flows one way: ``parse`` (pure text → dataclasses) → ``load`` (idempotent SQL build) → ``query`` (read-only
snapshot with retrieval). Nothing here imports the gateway or the actions.

Plans have versions (``versions``: ``add-version``; ``align``: what changed, clause by clause; ``history``: the
read side). The snapshot holds the versions in force only; ``KnowledgeBase.history/latest_change/cited`` reach the
others.
"""
