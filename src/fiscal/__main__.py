"""``python -m fiscal``: the same command line as ``fiscal``, for when the script is not on PATH."""

from fiscal.cli import main

main()
