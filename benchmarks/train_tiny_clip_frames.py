"""Train a tiny CLIP (transformers ``CLIPModel``) on frames and actor crops of ``svag synth``
renders, for the VideoGEM pointing benchmark (benchmarks/bench_videogem.py). Deterministic
(fixed seeds, fixed step count, single-threaded data); a few minutes on 2 CPU cores.

    PYTHONPATH=src python benchmarks/train_tiny_clip_frames.py --out benchmarks/models/tiny_clip_frames

Data: random synth scenes (seeds disjoint from the benchmark's), rendered at 160x96; every
``--every``-th frame. Each sample is an image — the whole frame (half the batch) or a crop around
one visible actor — and a caption about one visible actor: its appearance ("a photo of a red
car.") or (``--query-captions`` of the samples) a synth query whose window covers the frame and
whose target it is. Identical captions in a batch count as positives of each other. Symmetric InfoNCE
with a learned temperature, on the CLS embedding and (``--patch-loss``, half by default) on the
mean of the projected patch tokens: without the second term a model this small leaves its patch
features unaligned with text (their similarity to the caption was *lowest* on the actor, so every
heatmap pointed away from it: 0.5 % pointing accuracy against 1.3 % by chance). The tokenizer is a word-level CLIP BPE built from the captions'
words (characters for anything else). Output: a folder loadable by
``svag.vision.loading.load_pretrained(..., "CLIPModel")`` with its tokenizer, plus train.json.
"""
from __future__ import annotations

import argparse
import json
import string
import time
from pathlib import Path

import numpy as np

SIZE = (160, 96)


def scenes(seed: int, n: int, frames: int, every: int):  # type: ignore[no-untyped-def]
    """(images RGB (N, H, W, 3) uint8, per-image list of (box, captions))."""
    from svag.synth.benchmark import make_video
    from svag.synth.planner import random_scene
    images, labels = [], []
    for k in range(n):
        rng = np.random.default_rng([seed, k])
        spec = random_scene(rng, f"T{k}", SIZE[0], SIZE[1], frames, 25.0, max_actors=4)
        frames_bgr: list[np.ndarray] = []
        video = make_video(spec, rng, sink=frames_bgr.append, n_queries=12)
        for f in range(0, frames, every):
            items = []
            for i, actor in enumerate(spec.actors):
                box = video.boxes[i, f]
                if np.isnan(box[0]) or video.visibility[i, f] < 0.5 or box[2] * box[3] < 30:
                    continue
                looks = [f"a photo of a {actor.color} {actor.kind}.", f"the {actor.color} {actor.kind}",
                         f"a {actor.color} {actor.kind}"]
                said = [q.text for q in video.queries for ti, wins in q.tracks
                        if ti == i and any(s <= f + 1 <= e for s, e in wins)]
                items.append((box, (looks, said)))
            if items:
                images.append(frames_bgr[f][..., ::-1].copy())
                labels.append(items)
    return np.stack(images), labels


def word_tokenizer(folder: Path, texts: list[str]):  # type: ignore[no-untyped-def]
    """A CLIP BPE whose merges build every word of ``texts`` (lower-cased) into one token."""
    from transformers import CLIPTokenizer
    chars = list(string.ascii_lowercase + string.digits + ".,'-!?")
    vocab = chars + [c + "</w>" for c in chars]
    merges: list[str] = []
    words = sorted({w for t in texts for w in t.lower().replace(".", " .").replace(",", " ,").split()})
    seen = set(vocab)
    for w in words:
        if not all(c in chars for c in w) or len(w) < 2:
            continue
        pieces = list(w[:-1]) + [w[-1] + "</w>"]
        cur = pieces[0]
        for p in pieces[1:]:
            merges.append(f"{cur} {p}")
            cur = cur + p
            if cur not in seen:
                seen.add(cur)
                vocab.append(cur)
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}))
    dedup = list(dict.fromkeys(merges))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(dedup) + "\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt")), len(vocab)


def crop(image: np.ndarray, box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    H, W = image.shape[:2]
    x, y, w, h = box
    side = max(w, h) * rng.uniform(1.3, 2.2)
    cx, cy = x + w / 2 + rng.uniform(-0.2, 0.2) * w, y + h / 2 + rng.uniform(-0.2, 0.2) * h
    x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    x1, y1 = int(min(W, cx + side / 2)), int(min(H, cy + side / 2))
    return image[y0:max(y1, y0 + 2), x0:max(x1, x0 + 2)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--scenes", type=int, default=48)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--steps", type=int, default=220)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--input", type=int, default=64, help="model input side (frames are squashed to it)")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--layers", type=int, default=6, help="vision layers")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--patch-loss", type=float, default=0.5,
                    help="weight of the contrastive loss on mean-pooled patch tokens (the rest: CLS)")
    ap.add_argument("--query-captions", type=float, default=0.3,
                    help="share of samples captioned by a synth query about the actor (else its appearance)")
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    from transformers import CLIPConfig, CLIPModel
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    images, labels = scenes(args.seed, args.scenes, args.frames, args.every)
    texts = [c for items in labels for _, (looks, said) in items for c in looks + said]
    tok, n_vocab = word_tokenizer(args.out, texts + ["a photo of a person something. using doing"])
    print(f"{len(images)} frames, {len(texts)} captions, vocab {n_vocab}, data {time.perf_counter() - t0:.0f} s")
    INPUT, w = args.input, args.width
    cfg = CLIPConfig(
        text_config=dict(vocab_size=n_vocab, hidden_size=w, intermediate_size=2 * w, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=40, bos_token_id=n_vocab - 2,
                         eos_token_id=n_vocab - 1, pad_token_id=n_vocab - 1),
        vision_config=dict(hidden_size=w, intermediate_size=2 * w, num_hidden_layers=args.layers,
                           num_attention_heads=4, image_size=INPUT, patch_size=8),
        projection_dim=w)
    model = CLIPModel(cfg)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    mean = torch.tensor((0.48145466, 0.4578275, 0.40821073)).view(1, 3, 1, 1)
    std = torch.tensor((0.26862954, 0.26130258, 0.27577711)).view(1, 3, 1, 1)
    rng = np.random.default_rng(args.seed)

    def to_input(ims: list[np.ndarray]) -> torch.Tensor:
        xs = [F.interpolate(torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1)[None].float() / 255,
                            size=(INPUT, INPUT), mode="bicubic", align_corners=False, antialias=True) for im in ims]
        return (torch.cat(xs).clamp(0, 1) - mean) / std

    losses = []
    t1 = time.perf_counter()
    for step in range(args.steps):
        idx = rng.integers(0, len(images), args.batch)
        ims, caps = [], []
        for j, i in enumerate(idx):
            box, (looks, said) = labels[i][int(rng.integers(len(labels[i])))]
            ims.append(images[i] if j % 2 == 0 else crop(images[i], box, rng))
            cands = said if said and rng.random() < args.query_captions else looks
            caps.append(cands[int(rng.integers(len(cands)))])
        t = tok(caps, padding=True, return_tensors="pt")
        txt = model.get_text_features(input_ids=t["input_ids"], attention_mask=t["attention_mask"])
        txt = F.normalize(txt if isinstance(txt, torch.Tensor) else txt.pooler_output, dim=-1)
        vis = model.vision_model(pixel_values=to_input(ims))
        cls = F.normalize(model.visual_projection(vis.pooler_output), dim=-1)
        # the patch tokens, through the same post-layernorm and projection, mean-pooled: a second
        # image embedding, so that patch features carry the text alignment (--patch-loss)
        tokens = model.visual_projection(model.vision_model.post_layernorm(vis.last_hidden_state[:, 1:]))
        patch = F.normalize(tokens.mean(1), dim=-1)
        # captions that are equal count as positives of each other
        same = torch.tensor([[a == b for b in caps] for a in caps], dtype=torch.float32)
        target = same / same.sum(1, keepdim=True)

        def nce(img: torch.Tensor) -> torch.Tensor:
            logits = model.logit_scale.exp() * img @ txt.T
            return (torch.sum(-target * logits.log_softmax(1), 1).mean()
                    + torch.sum(-target * logits.T.log_softmax(1), 1).mean()) / 2
        loss = (1 - args.patch_loss) * nce(cls) + args.patch_loss * nce(patch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if step % 20 == 0 or step == args.steps - 1:
            print(f"step {step:4d} loss {np.mean(losses[-20:]):.3f} ({time.perf_counter() - t1:.0f} s)", flush=True)
    model.eval()
    model.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    (args.out / "train.json").write_text(json.dumps({
        "script": "benchmarks/train_tiny_clip_frames.py", "args": {k: str(v) for k, v in vars(args).items()},
        "frames": len(images), "captions": len(texts), "final_loss": float(np.mean(losses[-50:])),
        "seconds": round(time.perf_counter() - t0, 1), "render_size": SIZE, "input": INPUT}, indent=1))
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
