"""Moved to :mod:`svag.run.bench` (this name stays importable)."""
from svag.run.bench import *  # noqa: F401,F403
from svag.run.bench import (BASELINES, MOT_CLASS_CATEGORY, TABLE_KEYS, GrounderRun, _scene_for,  # noqa: F401
                            _subset, _subset_pred, build_scenes, format_runs, ground_dataset, mean_over_videos,
                            mot_scene, run_benchmark, runs_to_json, score, true_scene)
