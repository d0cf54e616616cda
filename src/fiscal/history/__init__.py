"""Rulesets at git revisions, semantic diffs of rules and of their budget impact.

- :mod:`fiscal.files.git` (the one git runner) reads revisions with the ``git``
  command (read-only plumbing:
  ``rev-parse``, ``ls-tree``, ``cat-file``, ``log``; never checkout, never the index);
- :mod:`fiscal.history.versions` turns a revision, the working tree or a folder into a
  loaded ruleset whose file:line point at the repository's paths;
- :mod:`fiscal.history.changes` compares two rulesets by id, not by file;
- :mod:`fiscal.history.impact` compares two projections and attributes the change;
- :mod:`fiscal.history.report` lays a diff out for the terminal, markdown and JSON.
"""
