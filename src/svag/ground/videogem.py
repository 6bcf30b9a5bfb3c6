"""The ``videogem`` grounder: training-free action heatmaps (:mod:`svag.vision.gem`) decide which
track does the action, and when.

Per sampled frame, a query's heatmap (the weighted mean of its action / verb / object prompt
maps, VideoGEM's decomposition) gives each track a relevance: the mean heat inside its box
against the mean heat outside, ``in / (in + out)`` (0.5: no contrast). Relevance is interpolated
to every frame of the track, smoothed over ``smooth_s`` seconds and turned into windows by
:func:`svag.ground.windows.windows_from_relevance`; tracks are ranked by their best window.

The pixels come from the scene's frame source (``scene.frames``: one sorted pass over the
sampled frames). Heatmaps are computed once per (scene key, frame sampling, model, GEM settings,
query) and cached on disk in the heatmap file format (:mod:`svag.io.heatmaps`) under the scene's
cache folder (``<scene cache>/heatmaps/``) or ``cache_dir``, so re-grounding, the pointing game
(``svag ground --heatmaps DIR``) and rendering reuse them. Needs the vision extra
(``transformers``, ``torch``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from svag.errors import InputError
from svag.ground.base import Grounding, GroundingResult, ParsesText, QueryLike, Scene
from svag.ground.windows import windows_from_relevance
from svag.io.heatmaps import Heatmaps, read_heatmaps, write_heatmaps
from svag.language.types import ActionQuery

CACHE_VERSION = 2


class VideoGemGrounder(ParsesText):
    """Parameters: ``model`` (CLIP checkpoint, hub id or folder), ``sample_fps`` (heatmap frames
    per second, default 5; 0: every frame), ``input_size`` (model input side; None: the
    checkpoint's; the paper uses 448), ``layers``, ``weighting`` (``videogem``, ``static``,
    ``gem``), ``temperature_scale`` (multiplies GEM's adaptive inverse temperature; 1, the
    paper's), ``prompt_weights`` (action / verb / object), ``threshold`` / ``low`` (window
    thresholds on the smoothed relevance), ``smooth_s``, ``max_tracks``, ``min_tracks``,
    ``max_windows``, ``batch`` (frames per forward), ``device``, ``dtype``, ``cache_dir`` (None:
    the scene's cache folder; "" disables the disk cache), ``allow_download``."""

    name = "videogem"
    uses_language = True
    needs_pixels = True                   # reads scene.frames
    requires: tuple[Any, ...] = ()

    def __init__(self, model: str = "openai/clip-vit-base-patch16",
                 sample_fps: float = 5.0, input_size: int | None = None, layers: int = 7,
                 weighting: str = "videogem", prompt_weights: dict[str, float] | None = None,
                 threshold: float = 0.6, low: float = 0.55, smooth_s: float = 0.5, max_tracks: int | None = 5,
                 min_tracks: int = 1, max_windows: int = 5, batch: int = 16, device: str = "auto",
                 dtype: str = "auto", cache_dir: str | None = None, allow_download: bool | None = None,
                 temperature_scale: float = 1.0) -> None:
        self.model = model
        self.temperature_scale = temperature_scale
        self.sample_fps = sample_fps
        self.input_size = input_size
        self.layers = layers
        self.weighting = weighting
        self.prompt_weights = prompt_weights
        self.threshold = threshold
        self.low = low
        self.smooth_s = smooth_s
        self.max_tracks = max_tracks
        self.min_tracks = min_tracks
        self.max_windows = max_windows
        self.batch = batch
        self.device = device
        self.dtype = dtype
        self.cache_dir = cache_dir
        self.allow_download = allow_download
        self.heatmapper_: Any = None
        self.tokenizer_: Any = None
        self.heatmaps_: dict[tuple, Heatmaps] = {}
        self.parsed_: dict[str, ActionQuery] = {}         # text -> parsed query (ParsesText)

    # ---- heatmaps ---------------------------------------------------------------------------------
    def _config(self) -> Any:
        from svag.vision.gem import GemConfig
        return GemConfig(layers=self.layers, weighting=self.weighting, input_size=self.input_size,
                         temperature_scale=self.temperature_scale)

    def _load(self) -> None:
        if self.heatmapper_ is not None:
            return
        from svag.vision.gem import GemHeatmapper
        from svag.vision.loading import load_pretrained
        model, tok = load_pretrained(self.model, "CLIPModel", processor_class="AutoTokenizer", device=self.device,
                                     dtype=self.dtype, allow_download=self.allow_download,
                                     model_kwargs={"attn_implementation": "eager"})
        self.heatmapper_ = GemHeatmapper(model, self._config())
        self.tokenizer_ = tok

    def _every(self, fps: float) -> int:
        return 1 if not self.sample_fps or self.sample_fps <= 0 else max(1, int(round(fps / self.sample_fps)))

    def memo_key(self, scene: Scene, query: ActionQuery) -> tuple:
        """The in-memory key of a query's heatmaps on a scene."""
        return (scene.key or f"scene:{id(scene)}", self._every(scene.fps), query.text, query.category)

    def _cache_file(self, scene: Scene, every: int, query: ActionQuery) -> Path | None:
        """``<root>/heatmaps/<hash>.npz``, the hash over (scene key, sampling, model, settings,
        query); None without a stable scene key or a cache folder, or with ``cache_dir=""``."""
        root = Path(self.cache_dir) if self.cache_dir else scene.cache_dir
        if self.cache_dir == "" or root is None or not scene.key:
            return None
        key = {"v": CACHE_VERSION, "scene": scene.key, "every": every, "num_frames": scene.num_frames,
               "model": str(self.model), "gem": asdict(self._config()), "text": query.text,
               "subject": query.category, "prompt_weights": self.prompt_weights, "dtype": self.dtype}
        h = hashlib.sha1(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:20]
        return root / "heatmaps" / f"{h}.npz"

    def heatmaps(self, scene: Scene, query: QueryLike) -> Heatmaps:
        """The query's heatmaps on the scene's frames (memory, then disk cache, then computed)."""
        query = self.parse(query)
        key = self.memo_key(scene, query)
        if key in self.heatmaps_:
            return self.heatmaps_[key]
        if scene.frames is None:
            raise InputError("the videogem grounder needs the video's pixels (a scene built from a video file, "
                             "a frame folder or a MOT sequence with img1/) — it cannot ground tracks alone",
                             hint=f"scene {scene.name!r}")
        every = key[1]
        cache = self._cache_file(scene, every, query)
        if cache is not None and cache.is_file():
            hm = read_heatmaps(cache)
        else:
            hm = self._compute(scene, every, query)
            if cache is not None:
                write_heatmaps(cache.parent.parent, cache.parent.name, cache.stem, hm, overwrite=True)
        self.heatmaps_[key] = hm
        return hm

    def _compute(self, scene: Scene, every: int, query: ActionQuery) -> Heatmaps:
        import torch

        from svag.vision.gem import combine, decompose
        self._load()
        g = self.heatmapper_
        ps = decompose(query.text, query.category, weights=self.prompt_weights)
        text = g.encode_text(ps.prompts, self.tokenizer_)
        frames, maps, points, batch = [], [], [], []
        sizes: set[tuple[int, int]] = set()

        def flush() -> None:
            rgb = np.stack([im[..., ::-1] for _, im in batch])
            pix = g.preprocess(rgb)
            m = g.heatmaps(pix, text, size=rgb.shape[1:3], chunk=self.batch)
            mean, pt = combine(m, ps.weights)
            frames.extend(i for i, _ in batch)
            maps.append(mean.float().cpu().numpy().astype(np.float16))
            points.append((pt + 0.5).float().cpu().numpy())
            batch.clear()

        with torch.inference_mode():
            for index, image in scene.frames.read(range(1, scene.num_frames + 1, every)):  # type: ignore[union-attr]
                sizes.add((image.shape[1], image.shape[0]))
                if len(sizes) > 1:
                    raise InputError(f"frame {index} has size {image.shape[1]}x{image.shape[0]}, the earlier "
                                     f"frames {sorted(sizes)[0]}", hint=f"scene {scene.name!r}")
                batch.append((index, image))
                if len(batch) == self.batch:
                    flush()
            if batch:
                flush()
        if not frames:
            raise InputError("no frame could be read", hint=f"scene {scene.name!r}")
        meta = {"method": "videogem", "text": query.text, "model": str(self.model), "prompts": list(ps.prompts),
                "prompt_weights": list(ps.weights), "gem": asdict(self._config()), "every": every}
        return Heatmaps(np.asarray(frames), np.concatenate(maps), sizes.pop(), np.concatenate(points), meta)

    # ---- grounding --------------------------------------------------------------------------------
    def relevance(self, scene: Scene, hm: Heatmaps) -> dict[object, np.ndarray]:
        """Track id -> per-frame relevance over the track's frames (in / (in + out) heat)."""
        fidx = {int(f): i for i, f in enumerate(hm.frames)}
        W, H = hm.size
        h, w = hm.maps.shape[1:]
        sx, sy = w / W, h / H
        # summed-area tables of the sampled maps, for box sums in O(1)
        sat = np.zeros((len(hm.frames), h + 1, w + 1))
        sat[:, 1:, 1:] = hm.maps.astype(np.float64).cumsum(1).cumsum(2)
        total = sat[:, -1, -1]
        out: dict[object, np.ndarray] = {}
        for t in scene.tracks:
            at = np.array([fidx.get(int(f), -1) for f in t.frames])
            ok = at >= 0
            if not ok.any():
                out[t.track_id] = np.full(len(t), 0.5)
                continue
            b = t.boxes[ok]
            x0 = np.clip(np.floor(b[:, 0] * sx), 0, w).astype(int)
            y0 = np.clip(np.floor(b[:, 1] * sy), 0, h).astype(int)
            x1 = np.clip(np.ceil((b[:, 0] + b[:, 2]) * sx), 0, w).astype(int)
            y1 = np.clip(np.ceil((b[:, 1] + b[:, 3]) * sy), 0, h).astype(int)
            k = at[ok]
            inside = sat[k, y1, x1] - sat[k, y0, x1] - sat[k, y1, x0] + sat[k, y0, x0]
            area = np.maximum((x1 - x0) * (y1 - y0), 0)
            in_mean = np.where(area > 0, inside / np.maximum(area, 1), 0.0)
            out_mean = (total[k] - inside) / np.maximum(w * h - area, 1)
            rel = in_mean / np.maximum(in_mean + out_mean, 1e-9)
            out[t.track_id] = np.interp(t.frames, t.frames[ok], rel)
        return out

    def ground(self, scene: Scene, query: QueryLike) -> GroundingResult:
        query = self.parse(query)
        hm = self.heatmaps(scene, query)
        rel = self.relevance(scene, hm)
        k = max(1, int(round(self.smooth_s * scene.fps)))
        cands = []
        for t in scene.tracks:
            if len(t) == 0:
                continue
            r = rel[t.track_id]
            if k > 1 and len(r) > 1:
                pad = np.pad(r, (k // 2, k - 1 - k // 2), mode="edge")
                r = np.convolve(pad, np.ones(k) / k, mode="valid")
            wins = windows_from_relevance(r, int(t.frames[0]), scene.fps, threshold=self.threshold, low=self.low,
                                          max_windows=self.max_windows)
            if len(wins) == 0:
                i = int(np.argmax(r))
                wins = np.array([[t.frames[0], t.frames[-1], float(r[i])]], float)
                matched = False
            else:
                matched = True
            cands.append((matched, float(wins[0, 2]), Grounding(t, float(np.clip(wins[0, 2], 0, 1)), wins)))
        cands.sort(key=lambda c: (not c[0], -c[1]))
        keep = [c[2] for c in cands if c[0]]
        if len(keep) < self.min_tracks:
            keep = [c[2] for c in cands[:self.min_tracks]]
        if self.max_tracks:
            keep = keep[:self.max_tracks]
        notes = [] if keep else ["no track to ground"]
        return GroundingResult(query, keep, notes)

