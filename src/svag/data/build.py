"""SVAG-Bench raw rows + MOTChallenge ground truth -> SVAG ground truth (the official JSON).

Rules (those of the official builder, Shuaicong97/data_processing
``SVAGEval/prediction_processing/generate_ground_truth.py``, unless noted):

* One query per (Video, Language Query), in order of first appearance; its tracks are the
  referenced object ids in order of first appearance; a track's ``temporal`` lists its windows
  ``[Start, End]`` unchanged (1-based, inclusive), in row order.
* A track's boxes are the MOT gt rows of that id whose frame lies in one of its windows, whatever
  the gt class or ``consider`` flag (non-pedestrian tracks are reported as a note).
* ``video_length`` is ``seqLength`` of the sequence's ``seqinfo.ini``; ``video_id`` numbers the
  videos 1, 2, ... in order of first appearance in the annotation rows (before any selection,
  so selecting videos does not renumber them).
* Query ids are integers. Rephrased layout: the file's QID. Original layout (QIDs reused across
  videos and texts): 1, 2, ... in order of first appearance of (Video, text) over all rows
  (before selection). :attr:`BuildReport.sources` maps every id back to its file, rows and QIDs.

Departures from the official builder, all counted in the :class:`BuildReport`: rows with an
empty or non-integer window or id are skipped (the official builder skips empty ones too);
exact duplicate rows (same query, id and window) are kept once (the official one repeats the
window); rows whose video has no sequence under the MOT root, or whose id has no gt row, are
skipped. Windows that reach beyond the id's gt frames or past the video are kept as annotated,
with boxes only where gt has them. ``strict=True`` turns every one of these into an error.
"""
from __future__ import annotations

import difflib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from svag.core.types import Dataset, Query, SvagData, Track
from svag.data.mot_seq import MOT_CLASSES, MotSequence, find_sequence
from svag.data.svag_bench import BenchRow, Layout, detect_layout, original_qids, read_rows
from svag.errors import InputError

PathLike = str | os.PathLike
QueryKind = Literal["all", "original", "rephrased"]

# Issue codes: problems (rows skipped or kept with a defect; errors under strict) and notes.
PROBLEMS = {
    "empty_window": "rows with an empty Start or End (skipped)",
    "bad_window": "rows whose Start/End is not an integer, is < 1, or has Start > End (skipped)",
    "bad_ids": "rows whose IDs is not a list of integers (skipped)",
    "no_sequence": "rows whose video has no sequence under the MOT root (skipped)",
    "missing_id": "rows whose object id has no row in gt.txt (skipped)",
    "duplicate_row": "rows repeating an earlier (query, id, window) (kept once)",
    "window_outside_track": "windows reaching before/after the id's gt frames (kept; boxes where gt has them)",
    "window_past_video": "windows ending after the last frame of the video (kept as annotated)",
}
NOTES = {
    "non_pedestrian_track": "rows whose id is not a class-1 (pedestrian) gt track (kept)",
    "overlapping_windows": "tracks with overlapping (not identical) windows (kept)",
    "gt_duplicate_boxes": "gt.txt rows repeating a (frame, id) of the same video (the first one is used)",
    "qid_several_texts": "(Video, QID) pairs with several texts (one query per text)",
    "text_several_qids": "(Video, text) queries written under several QIDs (merged)",
}


@dataclass
class BuildReport:
    """What the builder read, produced and had to interpret."""

    files: list[str] = field(default_factory=list)
    layout: str = ""
    rows_read: int = 0
    rows_selected: int = 0
    rows_used: int = 0
    videos: dict[str, dict[str, int]] = field(default_factory=dict)  # per video: queries, tracks, ...
    counts: Counter = field(default_factory=Counter)                  # issue code -> count
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    details: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    query_kinds: Counter = field(default_factory=Counter)             # original / rephrased
    sources: dict[int, dict] = field(default_factory=dict)            # query id -> provenance
    max_examples: int = 5

    def add(self, code: str, example: str, detail: str | None = None) -> None:
        self.counts[code] += 1
        if len(self.examples[code]) < self.max_examples:
            self.examples[code].append(example)
        if detail is not None:
            self.details[code][detail] += 1

    @property
    def totals(self) -> dict[str, int]:
        keys = ("queries", "tracks", "windows", "boxes")
        return {k: sum(v[k] for v in self.videos.values()) for k in keys}

    def problems(self) -> dict[str, int]:
        return {k: self.counts[k] for k in PROBLEMS if self.counts[k]}

    def notes(self) -> dict[str, int]:
        return {k: self.counts[k] for k in NOTES if self.counts[k]}

    def format(self, examples: int = 3) -> str:
        t = self.totals
        lines = [f"layout: {self.layout}; rows: {self.rows_read} read, {self.rows_selected} selected, "
                 f"{self.rows_used} used",
                 f"built: {len(self.videos)} videos, {t['queries']} queries, {t['tracks']} tracks, "
                 f"{t['windows']} windows, {t['boxes']} boxes"]
        if self.query_kinds:
            lines.append("queries by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(self.query_kinds.items())))
        for v, c in self.videos.items():
            counts = ", ".join(f"{c[k]} {k}" for k in ("rows", "queries", "tracks", "windows", "boxes"))
            lines.append(f"  {v}: {counts}")
        for title, table in (("problems", PROBLEMS), ("notes", NOTES)):
            for code, desc in table.items():
                n = self.counts[code]
                if not n:
                    continue
                extra = ""
                if self.details.get(code):
                    extra = " (" + ", ".join(f"{k} {v}" for k, v in self.details[code].most_common()) + ")"
                lines.append(f"{title[:-1]}: {n} {desc}{extra}")
                lines.extend(f"    e.g. {e}" for e in self.examples[code][:examples])
        if not self.problems():
            lines.append("no problems")
        return "\n".join(lines)

    def to_obj(self) -> dict:
        return {"files": self.files, "layout": self.layout, "rows_read": self.rows_read,
                "rows_selected": self.rows_selected, "rows_used": self.rows_used, "totals": self.totals,
                "videos": self.videos, "problems": self.problems(), "notes": self.notes(),
                "details": {k: dict(v) for k, v in self.details.items()},
                "examples": {k: list(v) for k, v in self.examples.items()},
                "query_kinds": dict(self.query_kinds),
                "queries": {str(k): v for k, v in self.sources.items()}}


@dataclass
class _GtIndex:
    """One video's gt boxes grouped by id."""

    seq: MotSequence
    length: int
    frames: dict[int, np.ndarray]
    boxes: dict[int, np.ndarray]
    classes: dict[int, int | None]
    duplicates: int = 0

    @classmethod
    def load(cls, seq: MotSequence) -> "_GtIndex":
        length = seq.length()
        if length is None:
            raise InputError("seqinfo.ini is needed for the video length", file=str(seq.path))
        gt = seq.gt()
        order = np.lexsort((gt.frames, gt.ids))
        ids, frames, boxes = gt.ids[order], gt.frames[order], gt.boxes[order]
        cls_ = None if gt.classes is None else gt.classes[order]
        out_f, out_b, out_c = {}, {}, {}
        dups = 0
        cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        for seg in np.split(np.arange(len(ids)), cuts):
            if not len(seg):
                continue
            tid = int(ids[seg[0]])
            f = frames[seg]
            keep = np.concatenate([[True], np.diff(f) > 0])   # duplicate (frame, id): first wins
            dups += int(np.count_nonzero(~keep))
            out_f[tid], out_b[tid] = f[keep], boxes[seg][keep]
            if cls_ is None:
                out_c[tid] = None
            else:
                vals, counts = np.unique(cls_[seg], return_counts=True)
                out_c[tid] = int(vals[counts.argmax()])
        return cls(seq, length, out_f, out_b, out_c, dups)


def _select_videos(rows: Sequence[BenchRow], videos: Sequence[str] | None) -> set[str]:
    present = list(dict.fromkeys(r.video for r in rows))
    if not videos:
        return set(present)
    unknown = [v for v in videos if v not in present]
    if unknown:
        hints = {v: difflib.get_close_matches(v, present, n=1) for v in unknown}
        hint = "; ".join(f"{v!r}: did you mean {h[0]!r}?" for v, h in hints.items() if h)
        raise InputError(f"video(s) {', '.join(map(repr, unknown))} not in the annotations "
                         f"(they have {', '.join(present)})", hint=hint or None)
    return set(videos)


def _query_ids(rows: Sequence[BenchRow], layout: Layout) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    for r in rows:
        if r.key not in ids:
            ids[r.key] = int(r.qid) if layout == "rephrased" else len(ids) + 1  # type: ignore[arg-type]
    return ids


def _query_kinds(rows_by_file: dict[str, list[BenchRow]], needed: bool) -> dict[tuple[str, str], str]:
    """(video, text) -> "original" / "rephrased", file by file: every query of an original-layout
    file is original; in a rephrased-layout file, those of its first block. A rephrased file whose
    blocks cannot be told apart is left out unless the kinds are ``needed``."""
    kinds: dict[tuple[str, str], str] = {}
    for rows in rows_by_file.values():
        if detect_layout(rows) == "original":
            kinds.update((r.key, "original") for r in rows)
            continue
        try:
            orig = original_qids(rows)
        except InputError:
            if needed:
                raise
            continue
        for r in rows:
            if kinds.get(r.key) != "original":
                kinds[r.key] = "original" if r.qid in orig else "rephrased"
    return kinds


def _check_row(r: BenchRow, report: BuildReport) -> bool:
    if r.ids is None:
        report.add("bad_ids", f"{r.where()}: IDs {r.raw_ids!r}")
        return False
    if r.start is None or r.end is None:
        empty = not r.raw_start.strip() or not r.raw_end.strip()
        report.add("empty_window" if empty else "bad_window",
                   f"{r.where()}: Start {r.raw_start!r}, End {r.raw_end!r}")
        return False
    if r.start < 1 or r.start > r.end:
        report.add("bad_window", f"{r.where()}: window [{r.start}, {r.end}]")
        return False
    return True


def _note_ambiguous_qids(rows: Sequence[BenchRow], report: BuildReport) -> None:
    texts: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    qids: dict[tuple[str, str], list[str | None]] = defaultdict(list)
    for r in rows:
        if r.text not in texts[(r.video, r.qid)]:
            texts[(r.video, r.qid)].append(r.text)
        if r.qid not in qids[r.key]:
            qids[r.key].append(r.qid)
    for (video, qid), ts in texts.items():
        if len(ts) > 1:
            report.add("qid_several_texts", f"{video} QID {qid}: " + " | ".join(repr(t) for t in ts))
    for (video, text), qs in qids.items():
        if len(qs) > 1:
            report.add("text_several_qids", f"{video} {text!r}: QIDs {', '.join(map(str, qs))}")


def _check_window(r: BenchRow, tid: int, gt: _GtIndex, report: BuildReport) -> None:
    """Report (never drop) what is odd about one (row, id): counted for every row, duplicates too."""
    assert r.start is not None and r.end is not None
    f = gt.frames[tid]
    if r.start < f[0] or r.end > f[-1]:
        empty = not np.any((f >= r.start) & (f <= r.end))
        report.add("window_outside_track", f"{r.where()}: {r.video} id {tid} window [{r.start}, {r.end}], "
                   f"gt frames {int(f[0])}-{int(f[-1])}",
                   detail="no gt box in the window" if empty else "partly outside")
    if r.end > gt.length:
        report.add("window_past_video", f"{r.where()}: {r.video} window [{r.start}, {r.end}], "
                   f"video has {gt.length} frames")
    cls_ = gt.classes[tid]
    if cls_ is not None and cls_ != 1:
        name = MOT_CLASSES.get(cls_, f"class {cls_}")
        report.add("non_pedestrian_track", f"{r.where()}: {r.video} id {tid} is class {cls_} ({name})",
                   detail=name)


def build_ground_truth(annotations: PathLike | Sequence[PathLike], mot_root: PathLike, dataset: str, *,
                       videos: Sequence[str] | None = None, queries: QueryKind = "all",
                       layout: Layout | Literal["auto"] = "auto", strict: bool = False
                       ) -> tuple[SvagData, BuildReport]:
    """Build SVAG ground truth from raw annotation file(s) and a MOTChallenge folder."""
    files = [annotations] if isinstance(annotations, (str, os.PathLike)) else list(annotations)
    if not files:
        raise InputError("no annotation file given")
    rows_by_file = {str(f): read_rows(f) for f in files}
    return build_from_rows(rows_by_file, mot_root, dataset, videos=videos, queries=queries,
                           layout=layout, strict=strict)


def build_from_rows(rows_by_file: dict[str, list[BenchRow]], mot_root: PathLike, dataset: str, *,
                    videos: Sequence[str] | None = None, queries: QueryKind = "all",
                    layout: Layout | Literal["auto"] = "auto", strict: bool = False
                    ) -> tuple[SvagData, BuildReport]:
    """:func:`build_ground_truth` on rows already read (``{file name: rows}``)."""
    if queries not in ("all", "original", "rephrased"):
        raise InputError(f"queries must be one of 'all', 'original', 'rephrased', got {queries!r}")
    mot_root = Path(mot_root)
    if not mot_root.is_dir():
        raise InputError("MOT root folder not found", file=str(mot_root))
    rows = [r for rs in rows_by_file.values() for r in rs]
    report = BuildReport(files=list(rows_by_file), rows_read=len(rows))
    report.layout = _resolve_layout(rows, layout, report)
    kinds = _query_kinds(rows_by_file, needed=queries != "all")
    if queries == "rephrased" and "rephrased" not in kinds.values():
        raise InputError("these annotations have no rephrased queries (original layout)",
                         file=report.files[0], hint="give the *_qid.json file, or --queries all")
    wanted = _select_videos(rows, videos)
    selected = [r for r in rows if r.video in wanted and (queries == "all" or kinds.get(r.key) == queries)]
    report.rows_selected = len(selected)
    if report.layout == "original":
        _note_ambiguous_qids(selected, report)

    collected = _collect(selected, mot_root, report)
    if selected and not collected.tracks and report.problems().get("no_sequence"):
        missing = sorted({r.video for r in selected})
        raise InputError(f"none of the annotated videos ({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}) "
                         "has a sequence folder <VIDEO>/ with gt/gt.txt here; is this the MOT root?",
                         file=str(mot_root))
    video_ids = {v: i + 1 for i, v in enumerate(dict.fromkeys(r.video for r in rows))}
    qids = _query_ids(rows, report.layout)
    out = [_make_query(key, by_id, qids[key], video_ids[key[0]], collected, kinds.get(key), report)
           for key, by_id in collected.tracks.items()]
    report.videos = {v: {k: int(c[k]) for k in ("rows", "queries", "tracks", "windows", "boxes")}
                     for v, c in report.videos.items()}
    if strict and report.problems():
        first = next(iter(report.problems()))
        summary = ", ".join(f"{n} {k}" for k, n in report.problems().items())
        raise InputError(f"annotations cannot be honoured exactly: {summary}; first: "
                         f"{report.examples[first][0]}", file=report.files[0],
                         hint="drop --strict to build anyway and get the full report")
    return SvagData((Dataset(dataset, tuple(out)),)), report


def _resolve_layout(rows: Sequence[BenchRow], layout: str, report: BuildReport) -> Layout:
    found = detect_layout(rows)
    if layout == "auto":
        return found
    if layout == "rephrased" and found != "rephrased":
        raise InputError("--layout rephrased needs QIDs that are one-to-one with (Video, text) queries; "
                         "these rows reuse QIDs", file=report.files[0], hint="use --layout original or auto")
    if layout not in ("original", "rephrased"):
        raise InputError(f"layout must be 'auto', 'original' or 'rephrased', got {layout!r}")
    return layout  # type: ignore[return-value]


@dataclass
class _Collected:
    gts: dict[str, _GtIndex | None] = field(default_factory=dict)
    # (video, text) -> track id -> windows, in first-appearance order
    tracks: dict[tuple[str, str], dict[int, list[tuple[int, int]]]] = field(default_factory=dict)
    rows: dict[tuple[str, str], list[BenchRow]] = field(default_factory=lambda: defaultdict(list))


def _load_gt(mot_root: Path, video: str, report: BuildReport) -> _GtIndex | None:
    seq = find_sequence(mot_root, video)
    if seq is None:
        return None
    gt = _GtIndex.load(seq)
    if gt.duplicates:
        report.add("gt_duplicate_boxes", f"{seq.gt_path}: {gt.duplicates} rows")
    return gt


def _collect(selected: Sequence[BenchRow], mot_root: Path, report: BuildReport) -> _Collected:
    """Judge every selected row against the gt; keep the (query, id, window) triples to build."""
    out = _Collected()
    seen: dict[tuple[str, str, int, int, int], BenchRow] = {}
    for r in selected:
        if not _check_row(r, report):
            continue
        if r.video not in out.gts:
            out.gts[r.video] = _load_gt(mot_root, r.video, report)
        gt = out.gts[r.video]
        if gt is None:
            report.add("no_sequence", f"{r.where()}: no {r.video}/ under {mot_root}", detail=r.video)
            continue
        assert r.ids is not None and r.start is not None and r.end is not None
        used = False
        for tid in r.ids:
            if tid not in gt.frames:
                report.add("missing_id", f"{r.where()}: {r.video} has no gt track {tid}")
                continue
            _check_window(r, tid, gt, report)
            dkey = (r.video, r.text, tid, r.start, r.end)
            if dkey in seen:
                first = seen[dkey]
                report.add("duplicate_row", f"{r.where()} repeats {first.where()}: {r.video} id {tid} "
                           f"[{r.start}, {r.end}] {r.text!r}"
                           + (f" (QIDs {first.qid}, {r.qid})" if first.qid != r.qid else ""))
                continue
            seen[dkey] = r
            out.tracks.setdefault(r.key, {}).setdefault(tid, []).append((r.start, r.end))
            used = True
        if used:
            report.rows_used += 1
            report.videos.setdefault(r.video, Counter())["rows"] += 1
            out.rows[r.key].append(r)
    return out


def _make_query(key: tuple[str, str], by_id: dict[int, list[tuple[int, int]]], qid: int, video_id: int,
                collected: _Collected, kind: str | None, report: BuildReport) -> Query:
    video, text = key
    gt = collected.gts[video]
    assert gt is not None
    tracks = []
    for tid, wins in by_id.items():
        f, b = gt.frames[tid], gt.boxes[tid]
        inside = np.zeros(len(f), bool)
        for s, e in wins:
            inside |= (f >= s) & (f <= e)
        inside &= f <= gt.length
        tracks.append(Track(tid, f[inside], b[inside], windows=np.array(wins, dtype=np.float64)))
        srt = sorted(set(wins))
        if any(nxt[0] <= cur[1] for cur, nxt in zip(srt, srt[1:])):
            report.add("overlapping_windows", f"{video} {text!r} id {tid}: {srt}")
    rows = collected.rows[key]
    report.sources[qid] = {"video": video, "text": text, "kind": kind,
                           "files": sorted({Path(r.file).name for r in rows}),
                           "rows": [r.index + 1 for r in rows],
                           "qids": list(dict.fromkeys(r.qid for r in rows))}
    if kind:
        report.query_kinds[kind] += 1
    stats = report.videos.setdefault(video, Counter())
    stats["queries"] += 1
    stats["tracks"] += len(tracks)
    stats["windows"] += sum(len(t.windows) for t in tracks)
    stats["boxes"] += sum(len(t) for t in tracks)
    return Query(qid, text, video, gt.length, tuple(tracks), video_id=video_id)
