"""The review loop: real messages reviewed by staff become training data."""
