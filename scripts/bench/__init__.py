"""Benchmark suite for rtvi-edge: `.venv/bin/python scripts/bench/run.py --help`."""
