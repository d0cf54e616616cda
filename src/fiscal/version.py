"""The package version, in a module of its own that imports nothing.

Importing ``fiscal`` itself reaches :mod:`fiscal.api` (its lazy names), so a lower
layer that wants the version imports it from here and stays below the API.
"""

__version__ = "0.1.0"
