"""Diagnostic for docs/videogem.md: do a CLIP model's heatmaps find an actor named by its
*appearance* ("a photo of a red car.")? Per visible actor on every 10th frame of 3 ``svag synth``
videos (seed 11, 100 frames, 160x96): is the maximum of the GEM map (VideoGEM weighting, last 3, 4,
5 layers; ``-min``: its minimum), of the plain patch-token map and of the last-layer CLS attention
inside a box of an actor of that colour and kind?

    PYTHONPATH=src python benchmarks/diag_videogem_appearance.py benchmarks/models/tiny_clip_frames
"""
import sys

import numpy as np
import torch

torch.set_num_threads(1)
from svag.synth.benchmark import benchmark_video
from svag.vision.loading import load_pretrained
from svag.vision.gem import GemConfig, GemHeatmapper
sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from bench_videogem import token_maps  # noqa: E402
model_dir = sys.argv[1]
model, tok = load_pretrained(model_dir, "CLIPModel", processor_class="AutoTokenizer", device="cpu", model_kwargs={"attn_implementation": "eager"})
gems = {L: GemHeatmapper(model, GemConfig(layers=L)) for L in (3, 4, 5)}
stats = {}
def hit(m, boxes):
    H, W = m.shape
    j = int(np.argmax(m)); y, x = j // W + .5, j % W + .5
    return any(b[0] <= x <= b[0] + b[2] and b[1] <= y <= b[1] + b[3] for b in boxes)
for k in range(3):
    frames = []
    video, _ = benchmark_video(k, 11, 100, (160, 96), sink=frames.append)
    for f in range(0, 100, 10):
        rgb = frames[f][..., ::-1].copy()[None]
        g = gems[3]
        pix = g.preprocess(rgb)
        att = g.attention_maps(pix, size=(96, 160))[0, 0].numpy()
        for i, a in enumerate(video.scene.actors):
            b = video.boxes[i, f]
            if np.isnan(b[0]) or video.visibility[i, f] < .5: continue
            same = [video.boxes[j, f] for j, o in enumerate(video.scene.actors) if o.kind == a.kind and o.color == a.color and not np.isnan(video.boxes[j, f, 0])]
            text = g.encode_text([f"a photo of a {a.color} {a.kind}."], tok)
            r = {"attention": hit(att, same), "tokens": hit(token_maps(g, pix, text, (96, 160), 8)[0, 0].numpy(), same)}
            for L, gg in gems.items():
                m = gg.heatmaps(pix, text, size=(96, 160))[0, 0].numpy()
                r[f"gem{L}"] = hit(m, same); r[f"gem{L}-min"] = hit(-m, same)
            for kk, v in r.items(): stats.setdefault(kk, []).append(v)
print({k: round(100 * np.mean(v), 1) for k, v in stats.items()}, len(stats["tokens"]))
