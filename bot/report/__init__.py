"""The demand report: what enterprises ask, by topic and region, what the plans could not answer, which clauses
and agencies are sought, how answers were judged, handoff volume, and the trend by week.

``sources`` reads the records and Rasa's tracker store (read-only), ``demand`` computes the figures, ``render``
writes Markdown or CSV, ``svg`` draws the charts on the server (no script, no CDN). No personal data leaves:
conversation ids are only counted, and the words of unanswered questions are reported only when enough
different conversations used them.
"""
