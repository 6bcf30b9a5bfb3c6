"""Ground a batch of videos: one task per video, models loaded once per worker, per-video
atomic outputs, resume, progress, and one merged prediction identical to a single-process run.

Output folder ``OUT``:

- ``OUT/videos/<NAME>.json``: the SVAG prediction of one video (what ``svag ground --out``
  writes for it);
- ``OUT/videos/<NAME>.done.json``: written after it; names the inputs and settings the result
  came from (a fingerprint). A video with a matching ``.done.json`` is skipped on a re-run;
- ``OUT/pred.json``: the merged prediction of every finished video, in manifest order;
- ``OUT/summary.json``: per video: ok / failed (with the error) / skipped, frames, seconds.

Every file is written with :mod:`svag.io.atomic` (a temporary name in the same folder, flushed,
then ``os.replace``), so an interrupted run (Ctrl-C, a killed process) leaves complete files or none.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from svag.errors import InputError, SvagError
from svag.io.atomic import TMP_TAG, sweep_stale, write_bytes
from svag.run.pipeline import GroundConfig, QuerySpec
from svag.run.manifest import BatchItem

PathLike = str | os.PathLike
FINGERPRINT_VERSION = 1


# -- the work of one video ---------------------------------------------------------------------

@dataclass
class VideoResult:
    name: str
    ok: bool
    prediction: dict | None = None          # SVAG JSON object of this video
    error: str | None = None
    detail: str | None = None               # traceback of an unexpected error
    frames: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


class GroundWorker:
    """Grounds one video at a time with one :class:`~svag.run.pipeline.VideoGrounder`, built once
    (its models stay loaded across videos). Failures come back as results, never raised."""

    def __init__(self, config: GroundConfig, window_convention: str = "svag") -> None:
        from svag.run.pipeline import VideoGrounder
        self.config = config
        self.vg = VideoGrounder(config)
        self.scene_config = self.vg.scenes.config
        self.window_convention = window_convention

    def process(self, item: BatchItem) -> VideoResult:
        start = time.perf_counter()
        try:
            pred, frames, notes = self._ground(item)
        except SvagError as exc:
            return VideoResult(item.name, False, error=str(exc), seconds=time.perf_counter() - start)
        except Exception as exc:   # a bad video must not stop the batch: report it with its cause
            return VideoResult(item.name, False, error=f"{type(exc).__name__}: {exc}",
                               detail=traceback.format_exc(limit=8), seconds=time.perf_counter() - start)
        return VideoResult(item.name, True, pred, frames=frames, seconds=time.perf_counter() - start, notes=notes)

    def _ground(self, item: BatchItem) -> tuple[dict, int, tuple[str, ...]]:
        """What ``svag ground VIDEO [--tracks FILE] --queries ... --out`` does for one video."""
        from svag.io.svag_json import svag_to_obj
        from svag.run.pipeline import to_prediction
        vg, video = self.vg, Path(item.video)
        if self.config.detector == "mot":   # as `svag ground --detector mot`: the video's own det/det.txt
            vg.scenes.config = dataclasses.replace(self.scene_config, detector_args={
                "path": str(video / "det" / "det.txt"), **self.config.detector_args})
        texts = [s.text for s in item.queries]
        scene = vg.prepare(video, tracks=item.tracks or None, progress=False, prompts=texts)
        specs = [s if s.video_length else dataclasses.replace(s, video_length=scene.num_frames)
                 for s in item.queries]
        results = vg.ground(scene, texts)
        pred = to_prediction(item.dataset, list(zip(specs, results)), window_convention=self.window_convention)
        notes = tuple(dict.fromkeys(n for r in results for n in r.notes))
        return svag_to_obj(pred, "pred"), scene.num_frames, notes


def needs_gpu(config: GroundConfig) -> bool:
    """Whether a stage of ``config`` runs on a GPU (a ``device`` option naming cuda)."""
    return any(str(args.get("device", "")).startswith("cuda")
               for args in (config.detector_args, config.tracker_args, config.grounder_args))


# -- the batch ---------------------------------------------------------------------------------

@dataclass
class BatchSummary:
    out_dir: Path
    total: int
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    frames: int = 0
    seconds: float = 0.0
    prediction: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def format(self) -> str:
        fps = self.frames / self.seconds if self.seconds > 0 else 0.0
        ran = len(self.done) + len(self.failed)
        lines = [f"batch: {len(self.done) + len(self.skipped)} of {self.total} videos done "
                 f"({len(self.skipped)} from an earlier run), {len(self.failed)} failed; "
                 f"{ran} run in {self.seconds:.1f} s: {self.frames} frames, {fps:.0f} frames/s, "
                 f"{60 * ran / self.seconds if self.seconds > 0 else 0:.1f} videos/min"]
        if self.failed:
            lines.append("failed videos (re-run with the same --out to retry them):")
            lines += [f"  {name}: {err}" for name, err in self.failed.items()]
        if self.prediction:
            lines.append(f"wrote {self.prediction} ({len(self.done) + len(self.skipped)} videos); "
                         f"per video: {self.out_dir / 'videos'}; summary: {self.out_dir / 'summary.json'}")
        return "\n".join(lines)


def run_batch(items: Sequence[BatchItem], out_dir: PathLike, *, config: GroundConfig | None = None,
              window_convention: str = "svag", workers: int = 0, ray: bool = False,
              ray_address: str | None = None, force: bool = False, log: TextIO | None = sys.stderr
              ) -> BatchSummary:
    """Ground every item; skip those finished by an earlier run into ``out_dir`` (``force``:
    recompute results whose inputs or settings changed instead of refusing)."""
    from svag.run.pool import open_pool
    config = config or GroundConfig()
    if config.cache_dir is None:   # pin the scene cache here: Ray workers run with a temporary HOME
        config = dataclasses.replace(config, cache_dir=str(Path.home() / ".cache" / "svag" / "scenes"))
    out = Path(out_dir)
    vdir = out / "videos"
    vdir.mkdir(parents=True, exist_ok=True)
    for stale in vdir.glob(f".*{TMP_TAG}*"):  # left by a killed run (never a result); a live run's stay
        sweep_stale(vdir / stale.name[1:stale.name.index(TMP_TAG)])
    prints = fingerprints(items, config, window_convention)
    todo, skipped = _plan(items, prints, vdir, force)
    summary = BatchSummary(out, len(items), skipped=[it.name for it in skipped])
    progress = BatchProgress(summary, log)
    mode = (f"Ray ({ray_address or 'local'})" if ray else f"{workers} processes" if workers > 1 else "this process")
    progress.say(f"batch: {len(items)} videos, {len(skipped)} done by an earlier run, {len(todo)} to run in {mode}")
    factory = functools.partial(GroundWorker, config, window_convention)
    start = time.perf_counter()
    if todo:
        with open_pool(factory, workers=workers, ray=ray, ray_address=ray_address,
                       num_gpus=1 if needs_gpu(config) else 0) as pool:
            for item, result in pool.imap_unordered(todo):
                result = _as_result(item, result)
                if result.ok:
                    _write_video(vdir, item, result, prints[item.name])
                summary.seconds = time.perf_counter() - start
                progress.finished(result, pool.running)
    summary.seconds = time.perf_counter() - start
    summary.prediction = merge_predictions(items, vdir, out / "pred.json", exclude=summary.failed)
    write_bytes(out / "summary.json", json.dumps(_summary_obj(summary, items), indent=1).encode())
    return summary


def _as_result(item: BatchItem, result: Any) -> VideoResult:
    if isinstance(result, VideoResult):
        return result
    return VideoResult(item.name, False, error=f"{type(result).__name__}: {result}")   # a dead worker


def _plan(items: Sequence[BatchItem], prints: dict[str, str], vdir: Path, force: bool
          ) -> tuple[list[BatchItem], list[BatchItem]]:
    todo, skipped, stale = [], [], []
    for it in items:
        done = _read_done(vdir, it.name)
        if done is None or not (vdir / f"{it.name}.json").is_file():
            todo.append(it)
        elif done.get("fingerprint") == prints[it.name]:
            skipped.append(it)
        else:
            stale.append(it.name)
            todo.append(it)
    if stale and not force:
        raise InputError(f"{len(stale)} finished videos in this folder came from other inputs or settings "
                         f"({', '.join(stale[:5])}{' ...' if len(stale) > 5 else ''}); pass --force to "
                         "recompute them, or use another --out", file=str(vdir.parent))
    return todo, skipped


def _read_done(vdir: Path, name: str) -> dict | None:
    path = vdir / f"{name}.done.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}    # unreadable: recompute


def _write_video(vdir: Path, item: BatchItem, result: VideoResult, fingerprint: str) -> None:
    assert result.prediction is not None
    write_bytes(vdir / f"{item.name}.json", json.dumps(result.prediction, separators=(",", ":")).encode())
    done = {"fingerprint": fingerprint, "video": item.video, "frames": result.frames,
            "seconds": round(result.seconds, 3), "notes": list(result.notes)}
    write_bytes(vdir / f"{item.name}.done.json", json.dumps(done, indent=1).encode())


def merge_predictions(items: Sequence[BatchItem], vdir: Path, out: Path, exclude: Iterable[str] = ()) -> Path:
    """One SVAG prediction of the finished videos: datasets in order of first appearance,
    queries in manifest order; written byte-for-byte as ``write_svag`` would."""
    skip = set(exclude)
    datasets: dict[str, list] = {}
    for it in items:
        path = vdir / f"{it.name}.json"
        if it.name in skip or not path.is_file():
            continue
        for d in json.loads(path.read_text())["datasets"]:
            datasets.setdefault(d["name"], []).extend(d["queries"])
    obj = {"datasets": [{"name": k, "queries": v} for k, v in datasets.items()]}
    write_bytes(out, json.dumps(obj, separators=(",", ":")).encode())
    return out


def fingerprints(items: Sequence[BatchItem], config: GroundConfig, window_convention: str) -> dict[str, str]:
    """Per video: a hash of everything its result depends on (settings, file sizes and times, queries)."""
    settings = dataclasses.asdict(config)
    settings.pop("cache_dir")
    base = {"v": FINGERPRINT_VERSION, "config": settings, "window_convention": window_convention}
    out = {}
    for it in items:
        parts = {**base, "video": _file_id(it.video), "tracks": _file_id(it.tracks) if it.tracks else None,
                 "dataset": it.dataset, "queries": [_spec_key(q) for q in it.queries]}
        out[it.name] = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return out


def _file_id(path: str) -> list:
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return [str(p)]
    return [str(p.resolve()), st.st_size, st.st_mtime_ns]


def _spec_key(q: QuerySpec) -> list:
    return [q.text, q.query_id, q.video_name, q.video_length, q.video_id]


def _summary_obj(s: BatchSummary, items: Sequence[BatchItem]) -> dict:
    status = {n: "ok" for n in s.done} | {n: "skipped" for n in s.skipped} | {n: "failed" for n in s.failed}
    return {"total": s.total, "done": len(s.done), "skipped": len(s.skipped), "failed": len(s.failed),
            "frames": s.frames, "seconds": round(s.seconds, 3), "prediction": str(s.prediction),
            "videos": [{"name": it.name, "video": it.video, "status": status.get(it.name, "not run"),
                        **({"error": s.failed[it.name]} if it.name in s.failed else {})} for it in items]}


class BatchProgress:
    """One line per finished video on ``log``: done / failed / running counts and frames/s."""

    def __init__(self, summary: BatchSummary, log: TextIO | None) -> None:
        self.summary, self.log = summary, log

    def say(self, text: str) -> None:
        if self.log is not None:
            print(text, file=self.log, flush=True)

    def finished(self, result: VideoResult, running: Sequence[BatchItem]) -> None:
        s = self.summary
        if result.ok:
            s.done.append(result.name)
            s.frames += result.frames
        else:
            s.failed[result.name] = result.error or "unknown error"
        n = len(s.done) + len(s.skipped) + len(s.failed)
        fps = s.frames / s.seconds if s.seconds > 0 else 0.0
        what = (f"ok ({result.frames} frames, {result.seconds:.1f} s)" if result.ok
                else f"FAILED: {result.error}")
        self.say(f"[{n}/{s.total}] done {len(s.done) + len(s.skipped)}, failed {len(s.failed)}, "
                 f"running {len(running)} | {fps:.0f} frames/s | {result.name} {what}")
