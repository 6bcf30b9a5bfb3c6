"""VideoGEM pointing game on ``svag synth`` videos: videogem vs plain GEM vs the last-layer CLS
attention map vs the centre of the frame, and heatmap throughput.

    PYTHONPATH=src python benchmarks/bench_videogem.py                      # tiny CLIP, CPU
    PYTHONPATH=src python benchmarks/bench_videogem.py --config full --device cuda   # GPU (not run here)

The videos are rendered by ``svag synth`` (:func:`svag.synth.benchmark.generate_benchmark`, seed 7,
disjoint from the training scenes) and decoded from their MP4 files. Every ``--every``-th frame
gets a heatmap per query with actors; each method's heatmaps are written in the heatmap file
format and scored by :func:`svag.eval.pointing.evaluate_pointing` (frames inside the actors'
windows). Methods:

* ``videogem``: GEM on the last ``layers`` layers with VideoGEM's static + dynamic weights, the
  action / verb / object prompts (weights 3 / 1 / 1), the paper's point (weighted mean of maxima);
* ``gem``: the same prompts and point, plain GEM sum (no layer weights);
* ``attention``: the last layer's CLS attention to the patches (text-free), its maximum;
* ``centre``: the centre of the frame;
* ``videogem-min`` (diagnostic, not a method): the *minimum* of videogem's combined map, which
  shows whether a model's patch–text similarity is inverted;
* ``videogem-action`` (diagnostic): the maximum of videogem's action-prompt map alone;
* ``tokens`` (diagnostic): the same prompts and point on the plain last-layer patch tokens
  (post-layernorm and projection of the model's own output, no GEM path).

Besides accuracy, each method gets ``on_any_actor`` (diagnostic): the share of scored frames whose
point is on *any* annotated actor of the video, right or wrong one.

Prompts are decomposed with the query's parsed subject category, as the ``videogem`` grounder
does (``decompose(text, parse(text).category)``).

``--config tiny`` (default) uses benchmarks/models/tiny_clip_frames (trained by
benchmarks/train_tiny_clip_frames.py on random crops of frames, 96x96 input, patch 8, 6 layers, GEM
on 3); ``--config tiny-whole`` the same architecture trained on whole frames,
benchmarks/models/tiny_clip_whole_frames (``--min-area 1 --patch-loss 0.8 --prompt-captions``; trained
on whole images like CLIP, its last-layer CLS attention is not drawn to the actors, see
docs/videogem.md); ``--config full`` uses
``openai/clip-vit-base-patch16`` at 448x448 with GEM on 7 layers (needs the checkpoint in the
Hugging Face cache and, to be useful, a GPU). Prints a table and writes JSON to
benchmarks/results/videogem_<config>.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CONFIGS = {"tiny": dict(model=str(HERE / "models" / "tiny_clip_frames"), layers=3, input_size=None),
           "tiny-whole": dict(model=str(HERE / "models" / "tiny_clip_whole_frames"), layers=3, input_size=None),
           "full": dict(model="openai/clip-vit-base-patch16", layers=7, input_size=448)}
METHODS = ("videogem", "gem", "attention", "centre", "videogem-min", "videogem-action", "tokens")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="tiny")
    ap.add_argument("--model", help="override the config's checkpoint")
    ap.add_argument("--videos", type=int, default=4)
    ap.add_argument("--frames", type=int, default=125)
    ap.add_argument("--size", default="160x96")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--layers", type=int, help="override the config's GEM depth")
    ap.add_argument("--input-size", type=int, help="override the config's model input side (position "
                    "embeddings interpolated)")
    ap.add_argument("--temperature-scale", type=float, default=1.0,
                    help="multiplies GEM's adaptive inverse temperature (1: the paper's)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    import torch
    cfg = dict(CONFIGS[args.config])
    if args.layers:
        cfg["layers"] = args.layers
    if args.input_size:
        cfg["input_size"] = args.input_size
    model_id = args.model or cfg["model"]
    w, h = (int(v) for v in args.size.split("x"))
    work = Path(tempfile.mkdtemp(prefix="bench_videogem_"))
    results, stats = measure(work, model_id, cfg["layers"], cfg["input_size"], videos=args.videos, frames=args.frames,
                             size=(w, h), seed=args.seed, every=args.every, device=args.device, dtype=args.dtype,
                             batch=args.batch, temperature_scale=args.temperature_scale)
    heat_s, heat_frames, queries, t_synth, gt = (stats[k] for k in ("heat_s", "heat_frames", "queries", "synth_s", "gt"))
    fps = heat_frames / heat_s if heat_s else float("nan")
    print(f"pointing game on {args.videos} svag synth videos ({args.frames} frames, {w}x{h}, seed {args.seed}), "
          f"every {args.every}th frame, {queries} queries with actors; model {model_id} "
          f"(GEM on {cfg['layers']} layers, temperature x{args.temperature_scale:g}), device {args.device}")
    print(f"{'method':12}  {'accuracy':>8}  {'query acc':>9}  {'frames':>6}  {'hits':>5}  {'on actor':>8}")
    for m in METHODS:
        r = results[m]
        print(f"{m:12}  {r['accuracy']:8.2f}  {r['query_accuracy']:9.2f}  {r['frames']:6d}  {r['hits']:5d}  "
              f"{r['on_any_actor']:8.2f}")
    area = box_area_share(gt, (w, h))
    print(f"chance (mean share of the frame covered by the query's actors): {area:.2f} %")
    print(f"videogem heatmaps: {fps:.1f} frames/s (3 prompts, preprocessing included, decode excluded) on "
          f"{args.device}; synth {t_synth:.0f} s")
    out = args.out or HERE / "results" / f"videogem_{args.config}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "config": args.config, "model": model_id, "gem_layers": cfg["layers"], "input_size": cfg["input_size"],
        "temperature_scale": args.temperature_scale,
        "device": args.device, "videos": args.videos, "frames": args.frames, "size": [w, h], "seed": args.seed,
        "every": args.every, "queries": queries, "pointing": results, "chance_percent": area,
        "heatmap_frames_per_s": fps, "torch_threads": torch.get_num_threads(), "machine": platform.processor()
        or platform.machine(), "full_config_on_gpu": "not run (no GPU in this task)"}, indent=1, default=float))
    print(f"wrote {out}")


def measure(work: Path, model_id: str, layers: int, input_size: int | None, *, videos: int, frames: int,
            size: tuple[int, int], seed: int, every: int, device: str = "cpu", dtype: str = "auto",
            batch: int = 16, methods: tuple[str, ...] = METHODS, temperature_scale: float = 1.0) -> tuple[dict, dict]:
    """Render the held-out synth videos under ``work``, write every method's heatmaps there and
    score them: ({method: pointing result}, timing and counts)."""
    import torch

    from svag.eval.pointing import evaluate_pointing
    from svag.io.heatmaps import Heatmaps, write_heatmaps
    from svag.io.svag_json import read_svag
    from svag.synth.benchmark import generate_benchmark
    from svag.video.reader import open_video
    from svag.vision.gem import GemConfig, GemHeatmapper, combine, decompose
    from svag.vision.loading import load_pretrained

    from svag.language.parser import parse_queries
    model, tok = load_pretrained(model_id, "CLIPModel", processor_class="AutoTokenizer", device=device,
                                 dtype=dtype, model_kwargs={"attn_implementation": "eager"})
    gems = {"videogem": GemHeatmapper(model, GemConfig(layers=layers, input_size=input_size,
                                                       temperature_scale=temperature_scale))}
    if "gem" in methods:
        gems["gem"] = GemHeatmapper(model, GemConfig(layers=layers, weighting="gem", input_size=input_size,
                                                     temperature_scale=temperature_scale))
    t0 = time.perf_counter()
    generate_benchmark(work / "synth", videos=videos, frames=frames, size=size, seed=seed)
    gt = read_svag(work / "synth" / "gt.json", "gt")
    t_synth = time.perf_counter() - t0
    heat_s, heat_frames = 0.0, 0
    queries = 0
    for d in gt.datasets:
        by_video: dict[str, list] = {}
        for q in d.queries:
            if q.tracks:
                by_video.setdefault(str(q.video_name), []).append(q)
        for name, qs in by_video.items():
            reader = open_video(work / "synth" / name / f"{name}.mp4", stride=every)
            decoded = [(f.index, f.image[..., ::-1].copy()) for f in reader]
            idx = np.array([i for i, _ in decoded])
            rgb = np.stack([im for _, im in decoded])
            size = (rgb.shape[2], rgb.shape[1])
            g0 = gems["videogem"]
            pix = g0.preprocess(rgb)
            att = g0.attention_maps(pix, size=rgb.shape[1:3], chunk=batch)[:, 0]
            att_hm = Heatmaps(idx, att.float().cpu().numpy(), size, None, {"method": "attention"})
            centre = np.tile([size[0] / 2, size[1] / 2], (len(idx), 1))
            centre_hm = Heatmaps(idx, np.zeros((len(idx), 1, 1)), size, centre, {"method": "centre"})
            subjects = [p.category for p in parse_queries([q.text for q in qs])]
            for q, subject in zip(qs, subjects):
                queries += 1
                ps = decompose(q.text, subject)
                text = g0.encode_text(ps.prompts, tok)
                for method, g in gems.items():
                    s = time.perf_counter()
                    pix = g.preprocess(rgb)
                    maps = g.heatmaps(pix, text, size=rgb.shape[1:3], chunk=batch)
                    mean, pt = combine(maps, ps.weights)
                    if device.startswith("cuda"):
                        torch.cuda.synchronize()
                    if method == "videogem":
                        heat_s += time.perf_counter() - s
                        heat_frames += len(idx)
                    hm = Heatmaps(idx, mean.float().cpu().numpy(), size, (pt + 0.5).float().cpu().numpy(),
                                  {"method": method, "prompts": list(ps.prompts)})
                    write_heatmaps(work / method, name, q.query_id, hm)
                    if method == "videogem":   # diagnostics: the action prompt's map alone; the minimum of the combined map
                        act = maps[:, list(ps.kinds).index("action")].float().cpu().numpy()
                        write_heatmaps(work / "videogem-action", name, q.query_id,
                                       Heatmaps(idx, act, size, peak(act), {"method": "videogem-action"}))
                        write_heatmaps(work / "videogem-min", name, q.query_id,
                                       Heatmaps(idx, hm.maps, size, peak(-hm.maps.astype(np.float32)),
                                                {"method": "videogem-min"}))
                if "tokens" in methods:
                    mean, pt = combine(token_maps(g0, pix, text, rgb.shape[1:3], batch), ps.weights)
                    write_heatmaps(work / "tokens", name, q.query_id,
                                   Heatmaps(idx, mean.float().cpu().numpy(), size, (pt + 0.5).float().cpu().numpy(),
                                            {"method": "tokens"}))
                write_heatmaps(work / "attention", name, q.query_id, att_hm)
                write_heatmaps(work / "centre", name, q.query_id, centre_hm)
    results = {m: {**evaluate_pointing(gt, work / m).mean, "on_any_actor": on_any_actor(gt, work / m)}
               for m in methods}
    return results, {"heat_s": heat_s, "heat_frames": heat_frames, "queries": queries,
                     "synth_s": t_synth, "gt": gt}


def peak(maps: np.ndarray) -> np.ndarray:
    """(F, 2) centre of each map's maximum, in pixels of the map."""
    flat = maps.reshape(len(maps), -1).argmax(1)
    W = maps.shape[-1]
    return np.column_stack([flat % W + 0.5, flat // W + 0.5])


def token_maps(g, pix, text, size, chunk):  # type: ignore[no-untyped-def]
    """(B, P, H, W) min-max cosine maps of the model's own last-layer patch tokens."""
    import torch
    out = []
    with torch.inference_mode():
        for s in range(0, pix.shape[0], chunk):
            interp = pix.shape[-1] != g.vision.embeddings.image_size
            hidden = g.vision(pixel_values=pix[s:s + chunk], interpolate_pos_encoding=interp).last_hidden_state[:, 1:]
            feats = torch.nn.functional.normalize(g._project(hidden), dim=-1)
            out.append(g.to_maps(torch.einsum("bne,pe->bpn", feats, text.float()), pix.shape[-2:], size, True))
    return torch.cat(out)


def on_any_actor(gt, folder: Path) -> float:  # type: ignore[no-untyped-def]
    """Diagnostic: the share (%) of the scored frames (the query's actors' windows) whose point lies
    on *any* annotated actor of the video at that frame (a box of any query's track), right or wrong
    one: it separates "the point is off every actor" from "on the wrong actor"."""
    from svag.eval.pointing import annotated_boxes, pointing_hits
    from svag.io.heatmaps import heatmap_path, read_heatmaps
    hits = []
    for d in gt.datasets:
        actors: dict[tuple[str, int], list[np.ndarray]] = {}
        for q in d.queries:
            for fr, bx in annotated_boxes(q, "boxes").items():
                actors.setdefault((str(q.video_name), fr), []).append(bx)
        for q in d.queries:
            path = heatmap_path(folder, q.video_name, q.query_id)
            if not q.tracks or not path.is_file():
                continue
            hm = read_heatmaps(path)
            pts = dict(zip(hm.frames.tolist(), hm.peak_points()))
            frs = [fr for fr in annotated_boxes(q) if fr in pts]
            if frs:
                hits.append(pointing_hits(np.array([pts[fr] for fr in frs]),
                                          [np.concatenate(actors[(str(q.video_name), fr)]) for fr in frs]))
    return 100.0 * float(np.concatenate(hits).mean()) if hits else float("nan")


def box_area_share(gt, size: tuple[int, int]) -> float:  # type: ignore[no-untyped-def]
    """Mean over annotated frames of the share (%) of the frame inside the actors' boxes (boxes
    summed, so overlaps count twice): the hit rate of a uniformly random point."""
    from svag.eval.pointing import annotated_boxes
    shares = [min(1.0, float((b[:, 2] * b[:, 3]).sum()) / (size[0] * size[1]))
              for d in gt.datasets for q in d.queries for b in annotated_boxes(q).values()]
    return 100.0 * float(np.mean(shares)) if shares else float("nan")


if __name__ == "__main__":
    main()
