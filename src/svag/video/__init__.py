"""Video input (decoding) and output (rendering)."""
