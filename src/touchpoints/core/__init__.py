"""The pure analytics core: statistics on counts and frames, returning typed results.

It never opens files, databases or sockets, never reads configuration and never prints, and it
imports nothing of touchpoints but :mod:`touchpoints.errors` (the layers contract in
``pyproject.toml`` checks it). ``tp.metrics``, ``tp.index`` and ``tp.privacy`` are its parts.
"""
