"""Errors the query layer raises for bad questions. Each carries the Chinese message a user should see."""

from __future__ import annotations


class QueryError(ValueError):
    """A question the knowledge base cannot answer as asked; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyQuery(QueryError):
    pass


class QueryTooLong(QueryError):
    pass


class UnknownRegion(QueryError):
    pass


class RegionNotCovered(QueryError):
    """A real region with no plan in the knowledge base (浙江, 杭州 …)."""

    def __init__(self, message: str, region: str) -> None:
        super().__init__(message)
        self.region = region


class NotFound(QueryError):
    pass


class KnowledgeBaseUnavailable(QueryError):
    """The database is missing, empty or unreadable; the message names the fix."""
