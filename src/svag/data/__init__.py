"""Data: loaders from every supported source into the core types, the SVAG-Bench ground-truth
builder, a folder catalog and a perfect prediction for tests.

* :func:`build_ground_truth` -- SVAG-Bench raw rows + MOTChallenge gt -> SVAG ground truth.
* :func:`read_rows` -- SVAG-Bench raw annotation rows.
* :func:`load_mot_sequence`, :func:`list_mot_sequences`, :func:`read_tracker_folder` -- MOTChallenge.
* :func:`read_hcstvg`, :func:`read_vidstg` -- STVG single-tube annotations.
* :func:`load` -- any supported file or folder, by detected kind; :func:`catalog` -- what a folder holds.
* :func:`perfect_prediction` -- predictions equal to a ground truth.
"""
from svag.data.build import BuildReport, build_from_rows, build_ground_truth
from svag.data.catalog import CatalogEntry, catalog, detect_kind, format_catalog, load
from svag.data.mot_seq import MotSequence, find_sequence, list_sequences as list_mot_sequences
from svag.data.mot_seq import load_sequence as load_mot_sequence, read_tracker_folder
from svag.data.perfect import perfect_prediction
from svag.data.stvg import read_hcstvg, read_vidstg
from svag.data.svag_bench import BenchRow, detect_layout, read_rows

__all__ = [
    "BenchRow", "BuildReport", "CatalogEntry", "MotSequence", "build_from_rows", "build_ground_truth",
    "catalog", "detect_kind", "detect_layout", "find_sequence", "format_catalog", "list_mot_sequences",
    "load", "load_mot_sequence", "perfect_prediction", "read_hcstvg", "read_rows", "read_tracker_folder",
    "read_vidstg",
]
