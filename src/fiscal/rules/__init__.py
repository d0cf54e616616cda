"""The ruleset: pydantic models of the rule files, the loader, and date-indexed lookup."""
