"""The pure core: numpy arrays of whole won in, numpy arrays of whole won out.

Nothing here reads a file, prints, or keeps state between calls.
"""
