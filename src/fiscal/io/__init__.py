"""The shell's file formats: stable YAML, Excel workbooks, atomic writes."""
