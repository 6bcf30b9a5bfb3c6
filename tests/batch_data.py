"""Synthetic videos and manifests shared by the batch tests (tests/test_batch*.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

VIDEOS = 8
CORRUPT = "SYNTH-05"


def make_synth(root: Path) -> Path:
    """8 short, small synthetic MOT sequences with MP4 videos and det.txt (svag synth)."""
    from svag.synth import generate_benchmark
    out = root / "synth"
    generate_benchmark(out, videos=VIDEOS, frames=40, size=(160, 96), seed=1)
    return out


def write_manifest(synth: Path, path: Path, *, corrupt: bool = False) -> Path:
    """Plain-text manifest of the 8 sequences; ``corrupt``: SYNTH-05's video replaced by a copy
    whose MP4 is garbage (the other files intact)."""
    lines = [f"queries: {synth / 'gt.json'}"]
    for i in range(1, VIDEOS + 1):
        seq = synth / f"SYNTH-{i:02d}"
        if corrupt and seq.name == CORRUPT:
            bad = path.parent / "corrupt" / CORRUPT
            if not bad.exists():
                shutil.copytree(seq, bad)
                (bad / f"{CORRUPT}.mp4").write_bytes(b"not a video " * 300)
            seq = bad
        lines.append(str(seq))
    path.write_text("\n".join(lines) + "\n")
    return path


def reference_run(synth: Path, out: Path, config) -> Path:
    """The single-process run of the 8 videos into ``out/run`` (the result every other way of
    running the batch must reproduce byte for byte)."""
    from svag.run.batch import run_batch
    from svag.run.manifest import read_manifest
    summary = run_batch(read_manifest(write_manifest(synth, out / "m.txt")), out / "run", config=config, log=None)
    assert summary.ok and len(summary.done) == VIDEOS, summary.format()
    return out / "run"
