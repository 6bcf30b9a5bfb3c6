"""fusion vs kinematic (with and without pixels) vs all-tracks on svag synth benchmarks, per
query subset (colour: "the person in red ..."; category: "a vehicle ...") and protocol.

    svag synth --out heldout-4242 --videos 4 --frames 250 --size 320x180 --seed 4242
    PYTHONPATH=src python benchmarks/bench_fusion.py heldout-4242 [heldout-777 ...] \\
        --model tests/models/tiny-clip-synth [-O tie=0.25 ...]

Tracks are the oracle's (ground-truth boxes, ids hidden) without a category, as from the motion
detector: the category is something only vision (or the kinematic grounder's aspect-ratio
prior) can check. Every query of a video is grounded (its query set gives the contrast prompts);
the queries with at least one true track are scored per subset (:mod:`svag.synth.subsets`).
The tiny model was trained on seed-0 scenes (benchmarks/train_tiny_clip.py): use other seeds.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

PROTOCOLS = ("svag", "svag-strict")
LABELS = ("all-tracks", "motion-only", "kinematic", "fusion")


def evaluate(root: str | Path, model: str, fusion: dict[str, Any] | None = None, cache_dir: str | None = None,
             labels: tuple[str, ...] = LABELS) -> dict[str, dict[str, dict[str, float]]]:
    """subset -> grounder label -> protocol -> m-HIoU on the benchmark under ``root``."""
    from svag.bench import build_scenes, ground_dataset, score
    from svag.core.types import Dataset, SvagData
    from svag.ground import build_grounder
    from svag.io.svag_json import read_svag
    from svag.synth.subsets import subject_subsets
    root = Path(root)
    gt = read_svag(root / "gt.json", "gt")
    subsets = subject_subsets(root, gt)
    scenes = build_scenes(gt, root)
    blind = {v: replace(s, frames=None) for v, s in scenes.items()}     # no pixels: no colour check
    grounders = {"all-tracks": ("all-tracks", {}, scenes), "motion-only": ("kinematic", {}, blind),
                 "kinematic": ("kinematic", {}, scenes),
                 "fusion": ("fusion", {"model": model, "device": "cpu", "cache_dir": cache_dir, **(fusion or {})},
                            scenes)}
    out: dict[str, dict[str, dict[str, float]]] = {s: {} for s in subsets}
    for label in labels:
        name, kw, on = grounders[label]
        pred, _ = ground_dataset(gt, on, build_grounder(name, **kw))
        for subset, sub in subsets.items():
            ids = {(q.video_name, q.query_id) for d in sub for q in d.queries}
            sub_pred = SvagData(tuple(Dataset(d.name, tuple(q for q in d.queries if (q.video_name, q.query_id) in ids))
                                      for d in pred.datasets))
            out[subset][label] = {p: s["all"]["m-HIoU"] for p, s in score(sub, sub_pred, PROTOCOLS).items()}
    return out


def count(root: str | Path) -> dict[str, int]:
    from svag.io.svag_json import read_svag
    from svag.synth.subsets import subject_subsets
    subsets = subject_subsets(root, read_svag(Path(root) / "gt.json", "gt"))
    return {s: sum(len(d.queries) for d in sub) for s, sub in subsets.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("roots", nargs="+", help="folders written by svag synth")
    ap.add_argument("--model", required=True, help="CLIP checkpoint (folder or hub id)")
    ap.add_argument("-O", dest="options", action="append", default=[], metavar="KEY=VALUE",
                    help="fusion grounder option (JSON value)")
    ap.add_argument("--json", help="write the numbers here")
    args = ap.parse_args()
    fusion = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.options)}
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        for root in args.roots:
            results[str(root)] = evaluate(root, args.model, fusion, cache)
            n = count(root)
            for subset, rows in results[str(root)].items():
                print(f"\n{root} — {subset} queries ({n[subset]}), m-HIoU official / strict")
                for label, r in rows.items():
                    print(f"  {label:12s} {r['svag']:6.2f} / {r['svag-strict']:6.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
