"""Multimodal-LLM verification throughput: tracks verified per second, and what SVAG-Bench costs.

Measures :class:`svag.vision.mllm.MllmVerifier` on synthetic clips (random frames, tracks of
random boxes), split into its two stages: **encode** (image preprocessing + vision tower, once
per clip) and **ask** (one language-model pass per clip and query, the visual tokens reused).

* CPU (always): the tiny randomly initialised Qwen2.5-VL, Qwen3-VL and LLaVA-OneVision models of the tests.
* GPU (``--gpu``, needs CUDA): full-size architectures from ``transformers``' configs of
  Qwen2.5-VL-3B/7B with random weights, bf16 (speed only; no download). Not run in CI.

From the measured rates it projects the GPU time of SVAG-Bench (688 videos, 19,590 queries) for
the ``mllm`` grounder's budget: ``verify`` tracks per query at track level, plus ``segments``
sliding segments for each of ``kept`` tracks per query; clips are shared by every query of a
video (encode once), answers are not.

    .venv/bin/python benchmarks/bench_mllm.py [--clips 24] [--frames 8] [--gpu]

Prints a table, writes benchmarks/results/mllm.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

# SVAG-Bench size (paper, all three subsets) and the H200 bf16 measurement for reference
BENCH_VIDEOS, BENCH_QUERIES = 688, 19_590
H200_MEASURED = {"Qwen2.5-VL-3B": 39.0, "Qwen2.5-VL-7B": 31.0}   # tracks/s, 8-frame 224² clip, ~40-token question


class RandomFrames:
    def __init__(self, shape):
        self.shape = shape

    def read(self, indices):
        for i in sorted(set(indices)):
            yield i, np.random.default_rng(i).integers(0, 255, self.shape, dtype=np.uint8)


@dataclass
class Scene:
    tracks: tuple
    frames: object
    fps: float = 25.0
    key: str = "bench"
    name: str = "bench"
    cache_dir: object = None
    width: int = 640
    height: int = 480
    num_frames: int = 400
    extra: dict = field(default_factory=dict)


def make_scene(n_tracks: int, shape=(480, 640, 3)) -> Scene:
    from svag.core.types import Track
    rng = np.random.default_rng(0)
    tracks = []
    for i in range(n_tracks):
        start = int(rng.integers(1, 100))
        n = int(rng.integers(50, 300))
        xy = rng.uniform(0, 400, 2)
        boxes = np.tile([xy[0], xy[1], 60, 120.0], (n, 1))
        tracks.append(Track(i + 1, np.arange(start, start + n), boxes))
    return Scene(tuple(tracks), RandomFrames(shape))


def measure(model_path: str, label: str, n_clips: int, frames: int, size: int, device: str, dtype: str,
            batch: int) -> dict:
    from svag.vision.mllm import ClipSpec, MllmVerifier
    scene = make_scene(n_clips)
    specs = [ClipSpec(t.track_id, int(t.frames[0]), int(t.frames[-1])) for t in scene.tracks]
    v = MllmVerifier(model_path, device=device, dtype=dtype, max_frames=frames, size=size, batch_size=batch,
                     cache_dir="")
    v.load()
    v.verify(scene, specs[:1], "warm up")          # first call: lazy init, kernels
    v._visual.clear()
    t0 = time.perf_counter()
    v.encode(scene, specs)
    t1 = time.perf_counter()
    v.verify(scene, specs, "a person walks to the left")
    t2 = time.perf_counter()
    v.verify(scene, specs, "a person in a red coat stops")   # second query: visual tokens reused
    t3 = time.perf_counter()
    encode, ask = t1 - t0, ((t2 - t1) + (t3 - t2)) / 2
    return {"model": label, "device": device, "clips": n_clips, "frames": frames, "size": size,
            "encode_clips_per_s": n_clips / encode, "ask_clips_per_s": n_clips / ask,
            "first_query_tracks_per_s": n_clips / (encode + ask)}


def project(rate_encode: float, rate_ask: float, verify: int, kept: int, segments: int,
            tracks_per_video: int) -> dict:
    """GPU hours for SVAG-Bench with the mllm grounder's budget."""
    q_per_video = BENCH_QUERIES / BENCH_VIDEOS
    clips_per_video = min(tracks_per_video, verify * q_per_video) * (1 + segments)   # union over queries
    asks_per_video = q_per_video * (verify + kept * segments)
    seconds = BENCH_VIDEOS * (clips_per_video / rate_encode + asks_per_video / rate_ask)
    return {"clips_per_video": clips_per_video, "asks_per_video": asks_per_video, "hours": seconds / 3600}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=24)
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--gpu", action="store_true", help="also full-size Qwen2.5-VL-3B/7B shapes on CUDA (random weights)")
    ap.add_argument("--out", default=str(HERE / "results" / "mllm.json"))
    args = ap.parse_args()
    from tiny_vlm import build_tiny_llava_onevision, build_tiny_qwen, build_tiny_qwen3_vl
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, build in (("tiny Qwen2.5-VL", build_tiny_qwen), ("tiny Qwen3-VL", build_tiny_qwen3_vl),
                             ("tiny LLaVA-OneVision", build_tiny_llava_onevision)):
            path = build(Path(tmp) / label.replace(" ", "_"))
            rows.append(measure(str(path), label, args.clips, args.frames, 112, "cpu", "float32", 4))
        if args.gpu:
            rows += gpu_rows(Path(tmp), args)
    print(f"{'model':<24}{'device':>7}{'clips':>7}{'frames':>7}{'encode/s':>10}{'ask/s':>9}{'1st query/s':>13}")
    for r in rows:
        print(f"{r['model']:<24}{r['device']:>7}{r['clips']:>7}{r['frames']:>7}{r['encode_clips_per_s']:>10.1f}"
              f"{r['ask_clips_per_s']:>9.1f}{r['first_query_tracks_per_s']:>13.1f}")
    budget = {"verify": 8, "kept": 2, "segments": 8, "tracks_per_video": 60}
    print("\nSVAG-Bench projection (688 videos, 19,590 queries; verify 8 tracks/query, moments: 8 segments for "
          "2 kept tracks):")
    projections = {}
    for label, rate in H200_MEASURED.items():
        # the H200 rate is for a whole verification (vision + LLM); the vision tower dominates,
        # so encode ~ rate and asks ~ 10x rate (an LLM pass over ~40 text tokens plus cached visual tokens)
        p = project(rate, 10 * rate, **budget)
        projections[label] = p
        print(f"  {label} on one H200 (measured {rate:.0f} tracks/s): {p['clips_per_video']:.0f} clips and "
              f"{p['asks_per_video']:.0f} questions per video -> {p['hours']:.1f} GPU hours")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"rows": rows, "budget": budget, "projection": projections}, indent=1))
    print(f"\nwrote {args.out}")


def gpu_rows(tmp: Path, args) -> list[dict]:
    import torch
    import transformers as T
    if not torch.cuda.is_available():
        print("--gpu: no CUDA device here; skipped")
        return []
    from tiny_vlm import QWEN_TEMPLATE, _save, _tokenizer
    rows = []
    for label, hidden, layers, heads, kv, inter in (("Qwen2.5-VL-3B shape", 2048, 36, 16, 2, 11008),
                                                    ("Qwen2.5-VL-7B shape", 3584, 28, 28, 4, 18944)):
        tok = _tokenizer()
        ids = tok.convert_tokens_to_ids
        cfg = T.Qwen2_5_VLConfig(
            text_config=dict(vocab_size=151936, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                             num_attention_heads=heads, num_key_value_heads=kv,
                             rope_scaling={"type": "mrope", "rope_type": "default", "mrope_section": [16, 24, 24]}),
            vision_config=dict(out_hidden_size=hidden),
            image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
            vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"))
        with torch.device("cuda"):
            model = T.Qwen2_5_VLForConditionalGeneration(cfg).to(torch.bfloat16).eval()
        ip = T.Qwen2VLImageProcessorPil(min_pixels=224 * 224, max_pixels=224 * 224)
        path = _save(tmp / label.replace(" ", "_"), model, tok, ip, QWEN_TEMPLATE,
                     {"processor_class": "Qwen2_5_VLProcessor"})
        del model
        rows.append(measure(str(path), label, 64, args.frames, 224, "cuda", "bfloat16", 16))
    return rows


if __name__ == "__main__":
    main()
