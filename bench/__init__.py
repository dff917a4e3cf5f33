"""Benchmarks: the relay and the consumer runner beside raw kafka-python, on one broker in one run."""
