"""Evaluation-time and deploy-order benchmarks of the program under the Pulumi mock runtime.

Run with `./venv/bin/gmw bench` (not part of the test suite); see benchmarks/run.py.
"""
