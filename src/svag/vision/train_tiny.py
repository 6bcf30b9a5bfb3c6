"""Train a tiny CLIP on crops of actors rendered by ``svag synth`` (deterministic, CPU, minutes).

    train_tiny_clip("tests/models/tiny-clip-synth", videos=16, seed=0)

The model learns the synthetic world's words: actor kinds (person, car, dog), their colours and
the background. Captions name colour and kind in the phrasings of the queries ("a photo of a red
person", "... a person in a red shirt", "... someone wearing red", "... a white vehicle"), the kind
only ("a photo of a dog") or the colour only ("a photo of a red thing"); each crop is classified
against all classes of a family, each class worded by one of its phrasings drawn at random (a CLIP
loss over a closed caption set, which trains both towers). The result is saved with
``save_pretrained`` (weights, config, processor, tokenizer) and loads through
:func:`svag.vision.loading.load_pretrained` exactly like a hub checkpoint.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from svag.vision.crops import crop

BACKGROUND = "a photo of the background"


def synth_crops(videos: int, seed: int, *, frames: int = 120, size: tuple[int, int] = (320, 180), every: int = 4,
                pad: float = 0.1, min_visibility: float = 0.6) -> tuple[list[np.ndarray], list[tuple[str, str]]]:
    """RGB crops of visible actors (and of background) and their (kind, colour) labels
    (("", "") for background) from ``videos`` random synthetic scenes."""
    from svag.synth.benchmark import make_video
    from svag.synth.planner import random_scene
    images: list[np.ndarray] = []
    labels: list[tuple[str, str]] = []
    rng = np.random.default_rng(seed)
    for v in range(videos):
        scene = random_scene(rng, f"TRAIN-{v}", size[0], size[1], frames, max_actors=5)
        rendered: list[np.ndarray] = []
        video = make_video(scene, rng, n_queries=1, sink=rendered.append)
        for f in range(0, frames, every):
            img = rendered[f]
            for i, actor in enumerate(scene.actors):
                box, vis = video.boxes[i, f], video.visibility[i, f]
                if np.isnan(box[0]) or vis < min_visibility or box[2] < 6 or box[3] < 6:
                    continue
                images.append(crop(img, box, pad))
                labels.append((actor.kind, actor.color))
            w, h = int(rng.integers(20, 80)), int(rng.integers(20, 80))
            x, y = int(rng.integers(0, size[0] - w)), int(rng.integers(0, size[1] - h))
            boxes = video.boxes[:, f]
            ok = ~np.isnan(boxes[:, 0])
            overlap = ((boxes[ok, 0] < x + w) & (boxes[ok, 0] + boxes[ok, 2] > x) & (boxes[ok, 1] < y + h)
                       & (boxes[ok, 1] + boxes[ok, 3] > y))
            if not overlap.any():
                images.append(crop(img, np.array([x, y, w, h], float), 0.0))
                labels.append(("", ""))
    return images, labels


# phrasings of one (colour, kind) class, as svag synth and SVAG-Bench queries word them
TEMPLATES = {
    "person": ("a photo of a {c} person", "a photo of a person in {c}", "a photo of a person in a {c} shirt",
               "a photo of someone wearing {c}", "a photo of a pedestrian in {c}", "a photo of a man in {c}",
               "a photo of a woman in {c}"),
    "car": ("a photo of a {c} car", "a photo of a {c} vehicle"),
    "dog": ("a photo of a {c} dog", "a photo of a {c} animal"),
}
KIND_WORDS = {"person": ("person", "pedestrian", "man", "woman", "someone"), "car": ("car", "vehicle"),
              "dog": ("dog", "animal")}


def _captions(labels: list[tuple[str, str]]) -> tuple[list[list[list[str]]], list[np.ndarray]]:
    """Caption families (colour and kind, kind only, colour only), each a list of classes with
    their phrasings, and each crop's target class in each family (0: background)."""
    from svag.synth.actors import COLORS, KINDS
    full = [[BACKGROUND]] + [[t.format(c=c) for t in TEMPLATES[k]] for k in KINDS for c in COLORS]
    kind = [[BACKGROUND]] + [[f"a photo of a {w}" for w in KIND_WORDS[k]] for k in KINDS]
    colour = [[BACKGROUND]] + [[f"a photo of a {c} thing", f"a photo of something {c}"] for c in COLORS]
    ck = [(c, k) for k in KINDS for c in COLORS]
    t_full = np.array([1 + ck.index((c, k)) if k else 0 for k, c in labels])
    t_kind = np.array([1 + list(KINDS).index(k) if k else 0 for k, c in labels])
    t_col = np.array([1 + list(COLORS).index(c) if k else 0 for k, c in labels])
    return [full, kind, colour], [t_full, t_kind, t_col]


def _family_tokens(tok: Any, family: list[list[str]]) -> tuple[Any, list[Any]]:
    """All phrasings of a family tokenised once, and per class the rows of its phrasings."""
    import torch
    flat = [t for cls in family for t in cls]
    enc = tok(text=flat, padding=True, return_tensors="pt")
    rows, k = [], 0
    for cls in family:
        rows.append(torch.arange(k, k + len(cls)))
        k += len(cls)
    return enc, rows


def train_tiny_clip(out: str | os.PathLike, *, videos: int = 16, seed: int = 0, epochs: int = 15,
                    batch_size: int = 192, lr: float = 3e-3, log: Any = print) -> dict[str, float]:
    """Train and save the tiny CLIP in ``out``; returns training statistics."""
    import torch
    import transformers as tf
    from svag.vision.tiny import _clip_text, _vision, clip_tokenizer
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images, labels = synth_crops(videos, seed)
    log(f"{len(images)} crops from {videos} synthetic videos ({time.perf_counter() - t0:.0f} s)")
    tok_dir = out / "_tokenizer_src"
    tok = clip_tokenizer(tok_dir, max_length=32)
    shutil.rmtree(tok_dir)
    cfg = tf.CLIPConfig(text_config=_clip_text(len(tok), hidden=64, layers=2, max_pos=32),
                        vision_config=_vision(32, 8, hidden=64, layers=2), projection_dim=32)
    model = tf.CLIPModel(cfg)
    proc = tf.CLIPProcessor(tf.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
                            tok)
    pixels = torch.cat([proc(images=images[i:i + 512], return_tensors="pt")["pixel_values"]
                        for i in range(0, len(images), 512)])
    families, targets = _captions(labels)
    texts = [_family_tokens(tok, f) for f in families]
    targets_t = [torch.as_tensor(t) for t in targets]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(images) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(images), generator=gen)
        total, correct, n = 0.0, 0, 0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            px = pixels[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5                 # mirrored views: left/right walkers
            px = torch.where(flip[:, None, None, None], px.flip(-1), px)
            img = torch.nn.functional.normalize(_feat(model.get_image_features(pixel_values=px)), dim=-1)
            loss = torch.zeros(())
            scale = model.logit_scale.exp().clamp(max=100)
            for j, ((enc, rows), tgt) in enumerate(zip(texts, targets_t)):
                pick = torch.stack([r[torch.randint(len(r), (1,), generator=gen)[0]] for r in rows])  # a phrasing per class
                enc = {"input_ids": enc["input_ids"][pick], "attention_mask": enc["attention_mask"][pick]}
                txt = torch.nn.functional.normalize(_feat(model.get_text_features(**enc)), dim=-1)
                logits = scale * img @ txt.T
                loss = loss + torch.nn.functional.cross_entropy(logits, tgt[idx]) * (1.0 if j == 0 else 0.5)
                if j == 0:
                    correct += int((logits.argmax(1) == tgt[idx]).sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            n += len(idx)
        if epoch % 3 == 0 or epoch == epochs - 1:
            log(f"epoch {epoch + 1}/{epochs}: loss {total / n:.3f}, train accuracy {correct / n:.3f}")
    model.eval()
    model.save_pretrained(out)
    proc.save_pretrained(out)
    stats = {"crops": len(images), "train_accuracy": correct / n, "seconds": time.perf_counter() - t0}
    log(f"saved {out} ({stats['seconds']:.0f} s)")
    return stats


def _feat(out: Any) -> Any:
    return out if hasattr(out, "norm") else out.pooler_output
