"""Training pairs for the learned grounder: per video, every track's step features
(:func:`svag.ground.learned_data.scene_features`) and, per query, the per-step labels of its
positive tracks, on ground-truth tracks (:func:`build_samples`) or on a tracker's tracks
(:func:`tracker_samples`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from svag.core.types import SvagData, Track
from svag.errors import InputError
from svag.ground.learned_data import SceneFeatures, scene_features


# -- training pairs --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class VideoSamples:
    """One video's tracks and the queries on it: ``labels[q]`` maps a track row to its (K,) labels."""

    name: str
    feats: SceneFeatures
    track_ids: list[int]
    texts: list[str]
    labels: list[dict[int, np.ndarray]]


def _videos_of(gt: SvagData, mot_root: str, videos: set[str] | None):  # type: ignore[no-untyped-def]
    """(video, its queries, MOT sequence, seqinfo) for each video of ``gt`` (``videos`` only)."""
    from svag.data.mot_seq import find_sequence
    from svag.errors import InputError
    by_video: dict[str, list] = {}
    for d in gt.datasets:
        for q in d.queries:
            if videos is None or q.video_name in videos:
                by_video.setdefault(q.video_name, []).append(q)
    for video in sorted(by_video):
        seq = find_sequence(mot_root, video)
        info = seq.info() if seq is not None else None
        if seq is None or info is None or not info.frame_rate:
            raise InputError(f"no MOT sequence with seqinfo.ini for video {video!r}", file=str(mot_root))
        yield video, by_video[video], seq, info


def build_samples(gt: SvagData, mot_root: str, videos: set[str] | None = None) -> list[VideoSamples]:
    """Training pairs from a ground truth: every query's gt tracks are positives (label 1 inside
    their windows), every other MOT gt track of the video (any class) a negative."""
    out = []
    for video, queries, seq, info in _videos_of(gt, mot_root, videos):
        tracks = seq.gt().tracks()
        feats = scene_features(tracks, info.width, info.height, info.frame_rate, info.length)
        row = {int(t.track_id): i for i, t in enumerate(tracks)}
        texts, labels = [], []
        seen: set[str] = set()
        for q in queries:
            if q.text in seen:          # the same text twice on a video (several datasets/QIDs)
                continue
            seen.add(q.text)
            lab: dict[int, np.ndarray] = {}
            for t in q.tracks:
                r = row.get(int(t.track_id))
                if r is None:
                    continue
                y = lab.setdefault(r, np.zeros(len(feats.frames), np.float32))
                for s, e, _ in t.windows:
                    y[(feats.frames >= s) & (feats.frames <= e)] = 1.0
            if lab:
                texts.append(q.text)
                labels.append(lab)
        out.append(VideoSamples(video, feats, list(row), texts, labels))
    return out


def tracker_matches(gt_tracks: list[Track], tracks: list[Track], num_frames: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames where a tracker track covers a ground-truth track (box IoU >= 0.5): parallel arrays
    (gt index, tracker index, 1-based frame), one entry per such (gt box, tracker box) pair."""
    from svag.core.types import Detections
    from svag.eval.sequence import SequenceData

    def dets(ts: list[Track]) -> Detections:
        relabelled = [Track(i, t.frames, t.boxes) for i, t in enumerate(ts)]
        return Detections.from_tracks(relabelled, num_frames)

    seq = SequenceData.build(dets(gt_tracks), dets(tracks), num_frames)
    ok = seq.nz_sim >= 0.5 - 1e-10
    g, p = seq.nz_gt[ok], seq.nz_tr[ok]
    return seq.gt_orig_id[seq.gt_id[g]], seq.tr_orig_id[seq.tr_id[p]], seq.gt_frame[g] + 1   # 0-based there


def tracker_samples(gt: SvagData, mot_root: str, tracks_dirs: list[str], videos: set[str] | None = None,
                    min_match_s: float = 0.5) -> list[VideoSamples]:
    """Training pairs on a tracker's tracks (what the grounder sees at test time): a tracker track
    is a positive of a query when it covers one of the query's gt tracks (IoU >= 0.5) inside the
    track's windows for at least ``min_match_s`` seconds; its per-step labels are those steps.
    Every other tracker track of the video is a negative. Videos without a tracker file are left
    out. ``tracks_dirs``: folders of ``<VIDEO>.txt`` MOT result files, searched in order."""
    from svag.io.mot import read_mot_results
    out = []
    for video, queries, seq, info in _videos_of(gt, mot_root, videos):
        path = seq.result_file(tracks_dirs, video)
        if path is None:
            continue
        tracks = [t for t in read_mot_results(path, num_frames=info.length).tracks() if len(t)]
        feats = scene_features(tracks, info.width, info.height, info.frame_rate, info.length)
        gt_tracks = {int(t.track_id): t for t in seq.gt().tracks()}
        gids = sorted(gt_tracks)
        gid_row = {g: i for i, g in enumerate(gids)}
        gi, pi, fr = tracker_matches([gt_tracks[g] for g in gids], tracks, info.length)
        step_of = np.searchsorted(feats.frames, fr)
        exact = (step_of < len(feats.frames)) & (feats.frames[np.minimum(step_of, len(feats.frames) - 1)] == fr)
        min_frames = min_match_s * info.frame_rate
        texts, labels = [], []
        seen: set[str] = set()
        for q in queries:
            if q.text in seen:
                continue
            seen.add(q.text)
            lab: dict[int, np.ndarray] = {}
            for t in q.tracks:
                g = gid_row.get(int(t.track_id))
                if g is None:
                    continue
                inside = np.zeros(len(fr), bool)
                for s, e, _ in t.windows:
                    inside |= (fr >= s) & (fr <= e)
                sel = (gi == g) & inside
                p_ids, counts = np.unique(pi[sel], return_counts=True)
                for p in p_ids[counts >= min_frames]:
                    y = lab.setdefault(int(p), np.zeros(len(feats.frames), np.float32))
                    hit = sel & (pi == p) & exact
                    y[step_of[hit]] = 1.0
            if lab:
                texts.append(q.text)
                labels.append(lab)
        out.append(VideoSamples(video, feats, [int(t.track_id) for t in tracks], texts, labels))
    return out


def load_samples(files: list[str], mot_root: str, dataset: str, train_tracks: list[str] | None = None
                 ) -> tuple[list, list[dict]]:
    """Training samples of all files (queries merged per video, repeated texts once), on the MOT
    gt tracks and, with ``train_tracks``, on those trackers' tracks too; and a description of the
    training data for the checkpoint."""
    from svag.core.types import SvagData
    from svag.data.build import build_ground_truth
    datasets, described = [], []
    for f in files:
        gt, report = build_ground_truth(f, mot_root, dataset)
        datasets.extend(gt.datasets)
        described.append({"file": Path(f).name, "videos": sorted(report.videos),
                          "queries": report.totals["queries"]})
    gt = SvagData(tuple(datasets))
    samples = build_samples(gt, mot_root)
    if train_tracks:
        for d in train_tracks:
            if not Path(d).is_dir():
                raise InputError("--train-tracks expects a folder of <VIDEO>.txt tracker results", file=d)
        extra = tracker_samples(gt, mot_root, list(train_tracks))
        if not extra:
            raise InputError(f"no tracker result file for any training video in {list(train_tracks)}")
        samples += extra
        described.append({"tracker_tracks": [Path(d).name for d in train_tracks],
                          "videos": [s.name for s in extra]})
    return samples, described
