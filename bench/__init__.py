"""Benchmarks for identity-tui: start-up, list latency at scale, saves and the sandbox server.

Run them all with ``python -m bench``; the figures land in ``bench/results.md``.
"""
