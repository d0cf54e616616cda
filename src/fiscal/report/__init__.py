"""Reports built from a projection: tables, views, comparison, sweep, explain, provenance."""
