"""Helpers shared by the test suites: waiting on a condition (never on a fixed delay) and a real `ror web serve`."""
