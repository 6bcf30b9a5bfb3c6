"""Evaluation: metrics (HOTA, CLEAR, Identity, temporal, STVG) and protocols (svag, svag-strict, mot)."""
