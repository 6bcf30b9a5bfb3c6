"""Evaluation protocols on files, in one registry: ``PROTOCOLS[name]`` is a function
``(gt, pred, **options) -> EvalResult`` (``svag eval --protocol NAME``). A new protocol is one
function (or file) plus an entry here.

* ``svag`` / ``svag-strict``: SVAG JSON ground truth and prediction (:mod:`svag.eval.svag_protocol`);
  option ``datasets``;
* ``mot``: a MOTChallenge sequence folder / gt.txt (or a folder of sequences) and tracker results
  (:mod:`svag.eval.mot_protocol`); options ``benchmark``, ``sequences``;
* ``stvg``: single-tube STVG metrics; ground truth HC-STVG, VidSTG or SVAG JSON;
* ``mr``: moment retrieval on JSON lines;
* ``pointing``: the pointing game of heatmaps (``pred`` is a ``svag ground --heatmaps`` folder;
  :mod:`svag.eval.pointing`); options ``datasets``, ``pointing_frames`` (``windows`` / ``boxes``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from svag.errors import InputError
from svag.eval.result import EvalResult
from svag.registry import resolve

PROTOCOLS: dict[str, str | Callable[..., EvalResult]] = {
    "svag": "svag.eval.protocols:evaluate_svag_files",
    "svag-strict": "svag.eval.protocols:evaluate_svag_strict_files",
    "mot": "svag.eval.protocols:evaluate_mot_files",
    "stvg": "svag.eval.protocols:evaluate_stvg_files",
    "mr": "svag.eval.protocols:evaluate_mr_files",
    "pointing": "svag.eval.protocols:evaluate_pointing_files",
}


def evaluate_files(protocol: str, gt: str, pred: str, **options: Any) -> EvalResult:
    """Score ``pred`` against ``gt`` with the protocol registered as ``protocol``; options a
    protocol does not use are ignored (``None`` means the default)."""
    return resolve("protocol", PROTOCOLS, protocol)(gt, pred, **options)


def evaluate_svag_files(gt: str, pred: str, *, protocol: str = "svag", datasets: list[str] | None = None,
                        **_: Any) -> EvalResult:
    from svag.eval.svag_protocol import evaluate_svag
    from svag.io.svag_json import ReadReport, read_svag
    report = ReadReport()
    gt_data = read_svag(gt, "gt", report=report)
    pred_data = read_svag(pred, "pred", report=report)
    result = evaluate_svag(gt_data, pred_data, protocol=protocol, datasets=datasets)
    if report.null_windows:
        result.notes.insert(0, f"{report.null_windows} null temporal entries were read as 'no window'")
    for kind, n in report.zero_area_boxes.items():
        what = "ground-truth boxes (always missed)" if kind == "gt" else "predicted boxes (false positives)"
        result.notes.insert(0, f"{n} {what} have zero width or height")
    if report.reversed_windows:
        result.notes.insert(0, f"{report.reversed_windows} predicted windows have start > end "
                               "(official: scored as given; svag-strict: IoU 0)")
    result.notes[:0] = report.notes
    return result


def evaluate_svag_strict_files(gt: str, pred: str, **options: Any) -> EvalResult:
    return evaluate_svag_files(gt, pred, **{**options, "protocol": "svag-strict"})


def evaluate_mot_files(gt: str, pred: str, *, benchmark: str | None = None, sequences: list[str] | None = None,
                       **_: Any) -> EvalResult:
    """A folder of sequences against a folder of results scores the sequences that have a result
    file (with a note naming the others)."""
    from svag.eval.mot_protocol import evaluate_mot, find_sequences
    names = sequences
    skipped: list[str] = []
    pred_path = Path(pred)
    if names is None and pred_path.is_dir() and Path(gt).is_dir():
        seqs = find_sequences(gt)
        if len(seqs) > 1:     # a folder of sequences: score those the tracker has results for
            have = {f.stem for f in pred_path.glob("*.txt")} | {f.stem for f in (pred_path / "data").glob("*.txt")}
            names = [s.name for s in seqs if s.name in have]
            skipped = [s.name for s in seqs if s.name not in have]
            if not names:
                raise InputError(f"no result file <SEQ>.txt for any of the sequences {[s.name for s in seqs]}",
                                 file=str(pred_path))
    result = evaluate_mot(gt, pred, benchmark=benchmark, sequences=names)
    if skipped:
        result.notes.insert(0, f"{len(skipped)} ground-truth sequences have no result file and were not scored: "
                               f"{', '.join(skipped)}")
    return result


def evaluate_stvg_files(gt: str, pred: str, **_: Any) -> EvalResult:
    from svag.eval.tube_protocols import evaluate_stvg
    from svag.io.svag_json import read_svag
    return evaluate_stvg(read_tubes(gt), read_svag(pred, "pred"))


def evaluate_mr_files(gt: str, pred: str, **_: Any) -> EvalResult:
    from svag.eval.tube_protocols import evaluate_moment_retrieval
    return evaluate_moment_retrieval(gt, pred)


def evaluate_pointing_files(gt: str, pred: str, *, datasets: list[str] | None = None,
                            pointing_frames: str | None = None, **_: Any) -> EvalResult:
    from svag.eval.pointing import evaluate_pointing
    from svag.io.svag_json import read_svag
    return evaluate_pointing(read_svag(gt, "gt"), pred, frames=pointing_frames or "windows", datasets=datasets)


def read_tubes(path: str):  # type: ignore[no-untyped-def]
    """STVG ground truth: HC-STVG or VidSTG annotations, or SVAG JSON (one track per query)."""
    from svag.data.stvg import looks_like_hcstvg, looks_like_vidstg, parse_hcstvg, parse_vidstg
    from svag.io.svag_json import load_json, parse_svag
    obj = load_json(path)
    if looks_like_hcstvg(obj):
        return parse_hcstvg(obj, source=path)
    if looks_like_vidstg(obj):
        return parse_vidstg(obj, source=path)
    return parse_svag(obj, "gt", source=path)
