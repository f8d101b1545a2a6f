"""Offline meeting intelligence: summary, topics, sentiment, action items, decisions and
open questions from a diarized transcript. Pure text processing: no models, no network.

`pipeline.summarize(segments)` is the entry point (the engine's `summarize` method); the
other modules each do one job and are importable on their own.
"""
