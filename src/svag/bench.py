"""Moved to :mod:`svag.run.bench` (this name stays importable)."""
from svag.run.bench import *  # noqa: F401,F403
from svag.run.bench import (BASELINES, TABLE_KEYS, GrounderRun, _scene_for, build_scenes, _subset, _subset_pred,  # noqa: F401
                            format_runs, ground_dataset, mean_over_videos, mot_scene, run_benchmark, runs_to_json,
                            score)
