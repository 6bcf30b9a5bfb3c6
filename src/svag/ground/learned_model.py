"""The learned trajectory-language model: network, sentence embeddings, checkpoints, inference
(training and cross-validation: :mod:`svag.train.learned`).

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
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from svag.errors import InputError, MissingDependencyError
from svag.ground.learned_data import FEATURE_SPEC, FEATURES, SceneFeatures

FORMAT = "svag-learned"
VERSION = 1
TEXT_MODEL = "all-MiniLM-L6-v2"
TEXT_DIM = 384


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:   # pragma: no cover - depends on the environment
        raise MissingDependencyError("torch", "ml", "the learned grounder") from exc
    return torch


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) unit-norm MiniLM sentence embeddings."""
    if not texts:
        return np.zeros((0, TEXT_DIM), np.float32)
    from svag.language.embed import sentence_model
    out = sentence_model().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
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
