"""The outside world, kept safe: atomic writes, the stable YAML writer, read-only git.

Also where the bundled Korean ruleset and example inputs live (:mod:`fiscal.files.bundled`).
"""
