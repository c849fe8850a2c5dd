"""What the assistant records for staff: handoff cases, feedback on cited clauses, questions it could not answer.

Kept in the same database as the knowledge base (``DATABASE_URL``) but in its own tables, which ``make kb`` never
touches. Clauses are referred to by their stable ref (``guizhou/17``).
"""
