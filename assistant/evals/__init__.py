"""Eval suites: cases, graders, runner, recordings, baselines, reports."""
