"""Readers and writers for the file formats svag supports (edges of the package)."""
