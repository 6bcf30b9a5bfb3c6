"""Frames per second of each vision stage: decode, open-vocabulary detection (OWLv2, Grounding
DINO, OmDet-Turbo), tracking, crop embedding (CLIP, SigLIP) and query scoring.

    PYTHONPATH=src python benchmarks/bench_vision.py                       # CPU, tiny random models
    PYTHONPATH=src python benchmarks/bench_vision.py --size full --device cuda --dtype bfloat16 \\
        --width 1920 --height 1080 --batch 32                              # GPU, full-size architectures

Models are built by :func:`svag.vision.tiny.build_tiny` (random weights; "full" = the default
transformers configuration of each architecture: OWLv2-B/16 at 960², Grounding DINO Swin-T,
OmDet-Turbo Swin-T, CLIP ViT-B/16, SigLIP-B/16), so nothing is downloaded and the speed is that
of the real architectures. The video is a synthetic clip (``svag synth``) of the given size.
The whole pipeline's rate is bounded by its slowest stage, which the last line names.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=("tiny", "full"), default="tiny")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--batch", type=int, default=8, help="frames per detector forward pass")
    ap.add_argument("--detectors", default="owlv2,grounding-dino,omdet-turbo")
    ap.add_argument("--embedders", default="clip,siglip")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default; on a shared, "
                    "oversubscribed CPU 1 thread is often faster)")
    ap.add_argument("--json", help="write the numbers here")
    args = ap.parse_args()

    import numpy as np
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    from svag.synth import generate_benchmark
    from svag.track import build_tracker
    from svag.video.reader import open_video
    from svag.vision.detectors import Owlv2Detector, GroundingDinoDetector, OmDetTurboDetector
    from svag.vision.embedder import ImageTextEmbedder
    from svag.vision.crops import crop

    classes = {"owlv2": Owlv2Detector, "grounding-dino": GroundingDinoDetector, "omdet-turbo": OmDetTurboDetector}
    from svag.vision.tiny import build_tiny
    tmp = Path(tempfile.mkdtemp(prefix="svag-bench-vision-"))
    generate_benchmark(tmp / "video", videos=1, frames=args.frames, size=(args.width, args.height), seed=7)
    video = next((tmp / "video").glob("*/*.mp4"))
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    out: dict[str, float] = {}

    t0 = time.perf_counter()
    frames = list(open_video(video))
    out["decode"] = len(frames) / (time.perf_counter() - t0)

    dets = None
    for name in [d for d in args.detectors.split(",") if d]:
        folder = build_tiny(name, tmp / name, size=args.size)
        det = classes[name](model=str(folder), prompts=("person", "car", "dog"), threshold=0.1, device=args.device,
                            dtype=args.dtype, batch_size=args.batch)
        det.reset()
        det.detect_batch(frames[: args.batch])                           # warm-up
        sync()
        t0 = time.perf_counter()
        found = det.detect_batch(frames)
        sync()
        out[f"detect:{name}"] = len(frames) / (time.perf_counter() - t0)
        dets = dets or found
        print(f"detect {name}: {out[f'detect:{name}']:.2f} frames/s", flush=True)

    tracker = build_tracker("bytetrack", fps=25.0)
    tracker.reset()
    t0 = time.perf_counter()
    for f, d in zip(frames, dets or []):
        tracker.update(f.index, d.boxes, d.scores)
    tracks = tracker.finalize()
    out["track"] = len(frames) / max(time.perf_counter() - t0, 1e-9)

    rng = np.random.default_rng(0)
    boxes = [np.array([rng.uniform(0, args.width - 80), rng.uniform(0, args.height - 160), 60, 140]) for _ in range(8)]
    crops_per_frame = 8 * 2 / 25                                       # 8 tracks, 2 crops per second at 25 fps
    for name in [e for e in args.embedders.split(",") if e]:
        folder = build_tiny(name, tmp / name, size=args.size)
        emb = ImageTextEmbedder(str(folder), device=args.device, dtype=args.dtype)
        crops = [crop(frames[i % len(frames)].image, boxes[i % 8], 0.1) for i in range(256)]
        emb.encode_images(crops[:32])
        sync()
        t0 = time.perf_counter()
        for i in range(0, len(crops), 64):
            emb.encode_images(crops[i:i + 64])
        sync()
        rate = len(crops) / (time.perf_counter() - t0)
        out[f"crops/s:{name}"] = rate
        out[f"embed:{name}"] = rate / crops_per_frame                   # video frames/s at that crop rate
        t0 = time.perf_counter()
        for q in range(20):
            emb.encode_texts([f"a photo of a red person {q}", "a photo of a dog", "a photo of the background"])
        out[f"text queries/s:{name}"] = 20 / (time.perf_counter() - t0)
        print(f"embed {name}: {rate:.0f} crops/s", flush=True)

    stages = {k: v for k, v in out.items() if k == "decode" or k.startswith(("detect:", "embed:")) or k == "track"}
    slowest = min(stages, key=stages.get)
    print(json.dumps({"size": args.size, "device": args.device, "frames": len(frames),
                      "resolution": [args.width, args.height], "fps": {k: round(v, 2) for k, v in out.items()},
                      "tracks": int(len(set(tracks.ids.tolist()))) if len(tracks) else 0}, indent=1))
    print(f"bounded by {slowest} at {stages[slowest]:.2f} frames/s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
