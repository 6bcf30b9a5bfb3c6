"""Train a tiny CLIP (transformers ``CLIPModel``) on whole frames of ``svag synth`` renders, for
the VideoGEM pointing benchmark (benchmarks/bench_videogem.py). Deterministic (fixed seeds, fixed
step count); 10-20 minutes on one CPU thread (``OMP_NUM_THREADS=1``).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/train_tiny_clip_frames.py --out benchmarks/models/tiny_clip_frames

Trained like CLIP, by image–text contrast only: no box, mask or heatmap supervision of any kind.
Data: random synth scenes (``np.random.default_rng([--seed, k])``, k < ``--scenes``; disjoint from
the ``SeedSequence`` seeds of ``svag synth`` / the benchmark), 2-5 actors each, rendered at 160x96;
every ``--every``-th frame. Each sample is a random crop of a frame (``--min-area`` of its area at
least, about the frame's aspect, squashed to the square input as the heatmapper does) and a
caption naming one actor at least 70 % inside it: its appearance ("a photo of a red car.", "a
photo of a car.") or (``--query-captions`` of the samples) a synth query whose window covers the
frame and whose target it is, raw or as "a photo of <query>." (``--prompt-captions`` adds the
query's VideoGEM prompts). Since frames hold several actors, the other actors of the frame are
the hard negatives. A caption counts as a positive of every image of the batch in which an actor
it describes is seen. Symmetric InfoNCE with a learned temperature, on the CLS embedding and
(``--patch-loss``, half by default) on a patch-level image–text score: the best patch's cosine
(``--patch-pool max``, token-wise as in FILIP) or the cosine of the mean patch token (``mean``;
the first model of this script: its patch–text similarities came out inverted, lowest on the
actor). The tokenizer is a word-level CLIP BPE built from the captions' words (characters for
anything else). Output: a folder loadable by ``svag.vision.loading.load_pretrained(...,
"CLIPModel")`` with its tokenizer, plus train.json (arguments, data and loss).
"""
from __future__ import annotations

import argparse
import json
import string
import time
from pathlib import Path

import numpy as np

SIZE = (160, 96)


def scenes(seed: int, n: int, frames: int, every: int, prompts: bool = False):  # type: ignore[no-untyped-def]
    """(images RGB (N, H, W, 3) uint8, per-image list of (box, captions))."""
    from svag.vision.gem import decompose
    from svag.synth.benchmark import make_video
    from svag.synth.planner import random_scene
    images, labels = [], []
    for k in range(n):
        rng = np.random.default_rng([seed, k])
        spec = random_scene(rng, f"T{k}", SIZE[0], SIZE[1], frames, 25.0, max_actors=5)
        frames_bgr: list[np.ndarray] = []
        video = make_video(spec, rng, sink=frames_bgr.append, n_queries=20)
        for f in range(0, frames, every):
            items = []
            for i, actor in enumerate(spec.actors):
                box = video.boxes[i, f]
                if np.isnan(box[0]) or video.visibility[i, f] < 0.5 or box[2] * box[3] < 30:
                    continue
                looks = [f"a photo of a {actor.color} {actor.kind}.", f"the {actor.color} {actor.kind}",
                         f"a {actor.color} {actor.kind}", f"a photo of a {actor.kind}."]
                said = [q.text for q in video.queries for ti, wins in q.tracks
                        if ti == i and any(s <= f + 1 <= e for s, e in wins)]
                if prompts:     # and the query's VideoGEM prompts, worded as the templates do
                    said += [p for q in said for p in decompose(q, actor.kind).prompts]
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


def resized_crop(image: np.ndarray, items: list, rng: np.random.Generator, min_area: float,
                 tries: int = 6) -> tuple[np.ndarray, list, list]:
    """A random crop of the frame (area share in [min_area, 1], about the frame's aspect), with
    the items (box, captions) of the actors at least 70 % inside it (they can be named) and of
    those at least 30 % inside (their captions are not negatives); the whole frame when no crop
    keeps a nameable actor."""
    H, W = image.shape[:2]
    for _ in range(tries):
        share = rng.uniform(min_area, 1.0)
        aspect = W / H * float(np.exp(rng.uniform(-0.25, 0.25)))
        cw = int(min(W, round(np.sqrt(share * W * H * aspect))))
        ch = int(min(H, round(cw / aspect)))
        x0, y0 = int(rng.integers(0, W - cw + 1)), int(rng.integers(0, H - ch + 1))
        named, seen = [], []
        for box, caps in items:
            x, y, w, h = box
            iw = max(0.0, min(x + w, x0 + cw) - max(x, x0))
            ih = max(0.0, min(y + h, y0 + ch) - max(y, y0))
            inside = iw * ih / max(w * h, 1e-6)
            if inside >= 0.7:
                named.append((box, caps))
            if inside >= 0.3:
                seen.append((box, caps))
        if named:
            return image[y0:y0 + ch, x0:x0 + cw], named, seen
    return image, items, items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--scenes", type=int, default=64)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--input", type=int, default=96, help="model input side (frames are squashed to it)")
    ap.add_argument("--patch", type=int, default=8)
    ap.add_argument("--width", type=int, default=48)
    ap.add_argument("--layers", type=int, default=6, help="vision layers")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-area", type=float, default=0.3,
                    help="random crops keep this share of the frame area at least (1: whole frames only)")
    ap.add_argument("--patch-loss", type=float, default=0.5,
                    help="weight of the contrastive loss on pooled patch tokens (the rest: CLS)")
    ap.add_argument("--patch-pool", choices=("mean", "max"), default="max",
                    help="how patch-text similarities become an image-text score for --patch-loss: the "
                         "cosine of the mean patch token, or the best patch's cosine (token-wise, as FILIP)")
    ap.add_argument("--query-captions", type=float, default=0.5,
                    help="share of samples captioned by a synth query about the actor (else its appearance)")
    ap.add_argument("--prompt-captions", action=argparse.BooleanOptionalAction, default=False,
                    help="query captions include the query's action / verb / object prompts in the VideoGEM "
                         "templates (svag.vision.gem.decompose with the actor's kind)")
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    from transformers import CLIPConfig, CLIPModel
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    images, labels = scenes(args.seed, args.scenes, args.frames, args.every, args.prompt_captions)
    texts = [c for items in labels for _, (looks, said) in items for c in looks + said]
    tok, n_vocab = word_tokenizer(args.out, texts + ["a photo of a person something. using doing"])
    print(f"{len(images)} frames, {len(texts)} captions, vocab {n_vocab}, data {time.perf_counter() - t0:.0f} s")
    INPUT, w = args.input, args.width
    cfg = CLIPConfig(
        text_config=dict(vocab_size=n_vocab, hidden_size=w, intermediate_size=2 * w, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=40, bos_token_id=n_vocab - 2,
                         eos_token_id=n_vocab - 1, pad_token_id=n_vocab - 1),
        vision_config=dict(hidden_size=w, intermediate_size=2 * w, num_hidden_layers=args.layers,
                           num_attention_heads=4, image_size=INPUT, patch_size=args.patch),
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

    def captions_of(looks: list[str], said: list[str]) -> list[str]:
        return looks + said + [f"a photo of {s[0].lower() + s[1:]}." for s in said]

    losses = []
    t1 = time.perf_counter()
    for step in range(args.steps):
        idx = rng.integers(0, len(images), args.batch)
        ims, caps, ok = [], [], []
        for i in idx:
            im, named, seen = resized_crop(images[i], labels[i], rng, args.min_area) if args.min_area < 1 \
                else (images[i], labels[i], labels[i])
            _, (looks, said) = named[int(rng.integers(len(named)))]
            cands = said if said and rng.random() < args.query_captions else looks
            cap = cands[int(rng.integers(len(cands)))]
            if cands is said and rng.random() < 0.5:      # the prompt templates' wording
                cap = f"a photo of {cap[0].lower() + cap[1:]}."
            ims.append(im)
            caps.append(cap)
            ok.append({c for _, (lk, sd) in seen for c in captions_of(lk, sd)})
        t = tok(caps, padding=True, return_tensors="pt")
        txt = model.get_text_features(input_ids=t["input_ids"], attention_mask=t["attention_mask"])
        txt = F.normalize(txt if isinstance(txt, torch.Tensor) else txt.pooler_output, dim=-1)
        vis = model.vision_model(pixel_values=to_input(ims))
        cls = F.normalize(model.visual_projection(vis.pooler_output), dim=-1)
        # the patch tokens, through the same post-layernorm and projection: a second image-text
        # score (--patch-loss), so that patch features carry the text alignment
        tokens = F.normalize(model.visual_projection(model.vision_model.post_layernorm(vis.last_hidden_state[:, 1:])),
                             dim=-1)
        if args.patch_pool == "mean":
            patch_sim = F.normalize(tokens.mean(1), dim=-1) @ txt.T
        else:
            patch_sim = torch.einsum("bne,ce->bcn", tokens, txt).amax(-1)
        # a caption is a positive of every image in which an actor it describes is seen (not
        # only its own image); targets are spread over the positives
        pos = torch.tensor([[c in s for c in caps] for s in ok], dtype=torch.float32)
        pos.fill_diagonal_(1.0)

        def nce(sim: torch.Tensor) -> torch.Tensor:
            logits = model.logit_scale.exp().clamp(max=100) * sim
            return (torch.sum(-(pos / pos.sum(1, keepdim=True)) * logits.log_softmax(1), 1).mean()
                    + torch.sum(-(pos.T / pos.T.sum(1, keepdim=True)) * logits.T.log_softmax(1), 1).mean()) / 2
        loss = (1 - args.patch_loss) * nce(cls @ txt.T) + args.patch_loss * nce(patch_sim)
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
        "seconds": round(time.perf_counter() - t0, 1), "torch_threads": torch.get_num_threads(),
        "render_size": SIZE, "input": INPUT}, indent=1))
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
