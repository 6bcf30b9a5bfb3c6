"""MOTChallenge sequence folders: ``<SEQ>/seqinfo.ini``, ``gt/gt.txt``, ``det/det.txt``.

Thin, lazy wrappers over :mod:`svag.io.mot`: a :class:`MotSequence` knows its files and reads
them on demand into :class:`~svag.core.types.Detections`. The one sequence type of svag: the
loaders, the benchmark runner, training and the MOT evaluation (:mod:`svag.eval.mot_protocol`)
all use it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from svag.core.types import Detections
from svag.errors import InputError
from svag.io.mot import SeqInfo, read_mot_det, read_mot_gt, read_mot_results, read_seqinfo

PathLike = str | os.PathLike

# MOTChallenge class ids (MOT17/MOT20 gt.txt column 8).
MOT_CLASSES = {1: "pedestrian", 2: "person on vehicle", 3: "car", 4: "bicycle", 5: "motorbike",
               6: "non-motorized vehicle", 7: "static person", 8: "distractor", 9: "occluder",
               10: "occluder on the ground", 11: "occluder full", 12: "reflection", 13: "crowd"}
# Detector variants whose folder names carry a suffix upstream (MOT17-02-FRCNN); same gt.
_VARIANTS = ("FRCNN", "SDP", "DPM")


@dataclass(frozen=True)
class MotSequence:
    name: str
    path: Path
    gt_override: Path | None = None      # a ground-truth file outside the usual gt/gt.txt

    @property
    def seqinfo_path(self) -> Path:
        return self.path / "seqinfo.ini"

    @property
    def gt_path(self) -> Path:
        return self.gt_override if self.gt_override is not None else self.path / "gt" / "gt.txt"

    gt_file = gt_path

    @property
    def ini_name(self) -> str | None:
        """``name=`` in seqinfo.ini (e.g. MOT17-02-FRCNN), if any."""
        info = self.info()
        return info.name if info and info.name else None

    @property
    def det_path(self) -> Path:
        return self.path / "det" / "det.txt"

    def info(self) -> SeqInfo | None:
        return read_seqinfo(self.seqinfo_path) if self.seqinfo_path.is_file() else None

    def length(self) -> int | None:
        info = self.info()
        return info.length if info else None

    def gt(self) -> Detections:
        if not self.gt_path.is_file():
            raise InputError("sequence has no gt/gt.txt", file=str(self.path))
        return read_mot_gt(self.gt_path, num_frames=self.length())

    def det(self) -> Detections:
        if not self.det_path.is_file():
            raise InputError("sequence has no det/det.txt", file=str(self.path))
        return read_mot_det(self.det_path, num_frames=self.length())

    def result_file(self, folders: Sequence[PathLike], *names: str) -> Path | None:
        """The first ``<NAME>.txt`` tracker result in ``folders`` (searched in order) for ``names``,
        this folder's name or the seqinfo name (MOT17 seqinfo names end in ``-FRCNN``)."""
        info = self.info()
        cands = [*names, self.path.name, *([info.name] if info and info.name else [])]
        return next((Path(d) / f"{n}.txt" for d in folders for n in cands if (Path(d) / f"{n}.txt").is_file()), None)


def is_sequence_dir(path: PathLike) -> bool:
    p = Path(path)
    return p.is_dir() and ((p / "seqinfo.ini").is_file() or (p / "gt" / "gt.txt").is_file())


def load_sequence(path: PathLike) -> MotSequence:
    p = Path(path)
    if not is_sequence_dir(p):
        raise InputError("not a MOTChallenge sequence folder (needs seqinfo.ini or gt/gt.txt)", file=str(p))
    return MotSequence(p.name, p)


def find_sequence(root: PathLike, name: str) -> MotSequence | None:
    """The sequence ``name`` under ``root``: ``root/name``, else ``root/name-FRCNN`` (then SDP,
    DPM), also one level down in ``train/``. The returned sequence is called ``name``."""
    root = Path(root)
    for base in (root, root / "train"):
        for cand in (name, *(f"{name}-{v}" for v in _VARIANTS)):
            if is_sequence_dir(base / cand):
                return MotSequence(name, base / cand)
    return None


def list_sequences(root: PathLike) -> list[MotSequence]:
    """Sequence folders directly under ``root`` (or ``root`` itself), sorted by name."""
    root = Path(root)
    if is_sequence_dir(root):
        return [load_sequence(root)]
    if not root.is_dir():
        raise InputError("folder not found", file=str(root))
    return [MotSequence(p.name, p) for p in sorted(root.iterdir()) if is_sequence_dir(p)]


def read_tracker_folder(folder: PathLike, lengths: dict[str, int] | None = None) -> dict[str, Detections]:
    """Tracker results ``<folder>/<SEQ>.txt`` (MOTChallenge result format), keyed by sequence."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("tracker folder not found", file=str(folder))
    lengths = lengths or {}
    return {p.stem: read_mot_results(p, num_frames=lengths.get(p.stem))
            for p in sorted(folder.glob("*.txt"))}
