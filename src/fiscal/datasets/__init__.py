"""Synthetic national datasets for scale tests and benchmarks."""
