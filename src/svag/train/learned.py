"""Training the learned grounder (:mod:`svag.ground.learned_model`): the training loop, the
track threshold, leave-one-video-out cross-validation and its table."""
from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np

from svag.errors import InputError
from svag.ground.learned_data import FEATURE_SPEC, FEATURES
from svag.ground.learned_model import TEXT_DIM, TEXT_MODEL, _torch, build_net, embed_texts, predict
from svag.train.samples import VideoSamples


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
    from svag.run.bench import _subset, ground_dataset, mot_scene, score
    from svag.core.types import Dataset, SvagData
    from svag.ground import build_grounder
    from svag.ground.hybrid import HybridGrounder
    from svag.ground.learned import LearnedGrounder
    modes = {"tracker": tracks_dir, "oracle": None} if tracks_dir else {"oracle": None}
    scenes = {m: {v: mot_scene(v, mot_root, d) for v in videos} for m, d in modes.items()}
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
