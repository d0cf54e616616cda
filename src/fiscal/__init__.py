"""fiscal: a fiscal decentralisation and investment-agreement calculator.

Rules live in versioned YAML (``rules/korea/`` is the bundled Korean default); the
engine projects each region's budget year by year in whole won; the shell writes
Excel workbooks that say exactly which rules, inputs and version made them.
"""

__version__ = "0.1.0"
