"""Excel workbooks: writing projections and templates, reading them back, import, verify."""
