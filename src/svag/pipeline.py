"""Moved to :mod:`svag.run.pipeline` (this name stays importable)."""
from svag.run.pipeline import *  # noqa: F401,F403
from svag.run.pipeline import GroundConfig, QuerySpec, VideoGrounder, ground_queries, has_pixels, parse_all, to_prediction  # noqa: F401
