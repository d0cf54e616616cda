"""Reading source files: the one YAML reader (with file:line:column) and problem collection."""
