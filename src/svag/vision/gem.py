"""GEM / VideoGEM: training-free heatmaps from the self-self attention of a CLIP vision tower.

GEM (Bousselham et al., CVPR 2024) adds a second, parameter-free path beside the last ``layers``
encoder layers of a CLIP ViT. In each of them the layer's own query, key and value projections
of the (layer-normed) tokens attend *to themselves*: for ``z`` in (q, k, v), ``iterations`` times
``z <- softmax(τ·ẑẑᵀ) ẑ`` with ``ẑ`` the L2-normalised rows and ``τ`` the inverse temperature
(the paper's adaptive one: mean token norm of the layer's input × head_dim^-1/2, per image), then
``softmax(τ·ẑẑᵀ) v`` for each of the three; their mean goes through the layer's output
projection and is added to the GEM path, which skips the MLPs. The path starts at the input of
the first of those layers; post-layernorm and the visual projection of every token give patch
features whose cosine with a text embedding is the heatmap (bilinear to frame size, min-max).

VideoGEM (Vogel et al., CVPR 2025) weights the terms of that sum — the path input and each
layer's GEM residual — instead of adding them: a *static* weighting that favours the higher
layers, and *dynamic* per-prompt weights for the last ``dynamic_layers`` layers: the CLS token
of the original path with one layer's contribution left out is compared with the prompt; the
larger the drop of that CLS–text cosine, the more weight (``softmax(-scale · cos)``). Static
weights of the last layers are lowered by ``1/dynamic_layers`` so that the weights keep the
static mean. A query is decomposed into action, verb and object prompts (:func:`decompose`),
whose maxima are combined with weights (3, 1, 1 by default, as in the paper).

Everything runs on a ``transformers`` CLIP-family model (``CLIPModel`` or anything with
``vision_model`` + ``visual_projection``); q, k, v and the layer inputs are read by forward hooks
on the model's own modules. Vectorised over frames, prompts and the three paths.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from svag.errors import InputError

# VideoGEM's static weights for 7 GEM layers: the path input, then the layers from low to high
PAPER_STATIC = (0.3, 0.4, 0.5, 0.6, 0.7, 0.9, 0.9, 0.9)
PAPER_TEMPLATES = {"verb": "A photo of a {subject} {verb} something.",
                   "object": "A photo of a {subject} using {object}.",
                   "action": "A photo of a {subject} {action}.",
                   "sentence": "A photo of {text}."}
EMPTY_TEMPLATES = {"verb": "A photo of a {subject} doing something.", "object": "A photo of a {subject}."}
WEIGHTINGS = ("gem", "static", "videogem")
DIRECTION_WORDS = frozenset({"left", "right", "up", "down", "away", "around", "back", "forward", "forwards",
                             "backwards", "towards", "toward", "across", "along", "past", "over", "off", "out"})


@dataclass(frozen=True)
class GemConfig:
    """``layers``: GEM on the last this many encoder layers (VideoGEM: 7; GEM's ``depth=7`` is 6
    layers); ``iterations`` of self-self attention before the value assignment (1);
    ``temperature``: a fixed inverse temperature, None for the adaptive one; ``temperature_scale``:
    multiplies it (1, the paper's; a small model's self-self attention can be too soft at the
    paper's temperature, see ``docs/videogem.md``); ``weighting``: ``gem``
    (plain sum), ``static`` or ``videogem`` (static + dynamic); ``static_weights``: one per stack
    term (path input, then each GEM layer), None for the paper's (a 0.3, 0.4, ... ramp ending in
    0.9 for other depths); ``dynamic_layers`` / ``dynamic_scale``: how many top layers get dynamic
    weights and the softmax scale (3, 20); ``input_size``: side of the square model input
    (None: the checkpoint's; 448 in the papers, with interpolated position embeddings)."""

    layers: int = 7
    iterations: int = 1
    temperature: float | None = None
    temperature_scale: float = 1.0
    weighting: str = "videogem"
    static_weights: tuple[float, ...] | None = None
    dynamic_layers: int = 3
    dynamic_scale: float = 20.0
    input_size: int | None = None

    def __post_init__(self) -> None:
        if self.weighting not in WEIGHTINGS:
            raise InputError(f"GEM weighting must be one of {WEIGHTINGS}, got {self.weighting!r}")
        if not self.temperature_scale > 0:
            raise InputError(f"GEM temperature_scale must be > 0, got {self.temperature_scale}")
        if self.layers < 1 or self.iterations < 0:
            raise InputError(f"GEM needs layers >= 1 and iterations >= 0, got {self.layers}, {self.iterations}")
        if self.static_weights is not None and len(self.static_weights) != self.layers + 1:
            raise InputError(f"static_weights needs {self.layers + 1} values (path input + {self.layers} layers), "
                             f"got {len(self.static_weights)}")
        if self.weighting == "videogem" and not 1 <= self.dynamic_layers <= self.layers:
            raise InputError(f"dynamic_layers must be in 1..{self.layers}, got {self.dynamic_layers}")

    def stack_weights(self) -> np.ndarray:
        """Static weight of each stack term (path input first)."""
        if self.weighting == "gem":
            return np.ones(self.layers + 1)
        if self.static_weights is not None:
            return np.asarray(self.static_weights, float)
        if self.layers + 1 == len(PAPER_STATIC):
            return np.asarray(PAPER_STATIC)
        n_top = min(3, self.layers + 1)
        ramp = 0.3 + 0.1 * np.arange(self.layers + 1 - n_top)
        return np.concatenate([ramp, np.full(n_top, 0.9)])


@dataclass(frozen=True)
class PromptSet:
    """The prompts of one query and the weight of each prompt's maximum in the final point."""

    prompts: tuple[str, ...]
    weights: tuple[float, ...]
    kinds: tuple[str, ...] = field(default=())


def decompose(text: str, subject: str | None = None, *, weights: dict[str, float] | None = None,
              templates: dict[str, str] | None = None) -> PromptSet:
    """Action, verb and object prompts of a query (VideoGEM's decomposition; weights default to
    the paper's: action 3, verb 1, object 1). The verb is the first word the parser knows as a verb,
    the object the content words after it; missing parts get the paper's empty prompts. A query
    that describes its subject before the verb ("the white car turns around") keeps that
    description in the action prompt ("A photo of the white car turns around.")."""
    from svag.language.lexicon import STOP_WORDS
    from svag.language.text import lemma
    from svag.language.lexicon import EXTRA_WORDS, VERBS

    w = {"action": 3.0, "verb": 1.0, "object": 1.0, **(weights or {})}
    t = {**PAPER_TEMPLATES, **(templates or {})}
    subject = subject or "person"
    words = text.strip().rstrip(".").split()
    lowered = [x.lower().strip(",;:") for x in words]
    vi = next((i for i, x in enumerate(lowered) if lemma(x) in VERBS), None)
    verb = words[vi] if vi is not None else None
    skip = STOP_WORDS | EXTRA_WORDS | DIRECTION_WORDS
    rest = [x for x in (lowered[vi + 1:] if vi is not None else []) if x and x not in skip and lemma(x) not in VERBS]
    obj = " ".join(rest) or None
    if vi:      # the query names its own subject ("the white car turns"): keep that description
        sentence = " ".join(words)
        action_prompt = t["sentence"].format(text=sentence[0].lower() + sentence[1:])
    else:       # a "verb object" label, as in the paper
        action_prompt = t["action"].format(subject=subject, action=" ".join(words))
    prompts = {
        "verb": t["verb"].format(subject=subject, verb=verb) if verb else EMPTY_TEMPLATES["verb"].format(subject=subject),
        "object": t["object"].format(subject=subject, object=obj) if obj else EMPTY_TEMPLATES["object"].format(subject=subject),
        "action": action_prompt,
    }
    kinds = tuple(k for k in ("verb", "object", "action") if w.get(k, 0) > 0)
    return PromptSet(tuple(prompts[k] for k in kinds), tuple(float(w[k]) for k in kinds), kinds)


class GemHeatmapper:
    """GEM / VideoGEM heatmaps from a ``transformers`` CLIP model (eval mode).

    ``heatmaps(pixel_values, text_embeds)`` -> (B, P, H, W) min-max maps per frame and prompt;
    ``encode_text(prompts, tokenizer)`` -> unit text embeddings; ``preprocess(frames)`` turns
    uint8 RGB frames (B, H, W, 3) into model input."""

    def __init__(self, model: Any, config: GemConfig | None = None) -> None:
        self.model = model
        self.config = config or GemConfig()
        vm = getattr(model, "vision_model", None)
        if vm is None or not hasattr(model, "visual_projection"):
            raise InputError(f"{type(model).__name__} is not a CLIP-family model (needs vision_model and "
                             "visual_projection)")
        self.vision = vm
        self.layers_ = list(vm.encoder.layers)
        if self.config.layers > len(self.layers_):
            raise InputError(f"GEM on {self.config.layers} layers, but the vision tower has {len(self.layers_)}")
        vc = model.config.vision_config if hasattr(model.config, "vision_config") else model.config
        self.patch_size = int(vc.patch_size)
        self.image_size = int(self.config.input_size or vc.image_size)

    # ---- inputs -------------------------------------------------------------------------------------
    def preprocess(self, frames: np.ndarray, mean: Sequence[float] | None = None,
                   std: Sequence[float] | None = None) -> Any:
        """uint8 RGB frames (B, H, W, 3) -> normalised (B, 3, S, S) input (bicubic resize, as GEM's
        transform; CLIP's mean/std unless given)."""
        import torch
        import torch.nn.functional as F
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3:
            raise InputError(f"frames must be (B, H, W, 3) RGB, got shape {frames.shape}")
        mean = mean or (0.48145466, 0.4578275, 0.40821073)
        std = std or (0.26862954, 0.26130258, 0.27577711)
        p = next(self.model.parameters())
        x = torch.from_numpy(np.ascontiguousarray(frames)).to(p.device).permute(0, 3, 1, 2).float() / 255.0
        s = self.image_size
        if x.shape[-2:] != (s, s):
            x = F.interpolate(x, size=(s, s), mode="bicubic", align_corners=False, antialias=True).clamp_(0, 1)
        m = torch.tensor(mean, device=x.device).view(1, 3, 1, 1)
        sd = torch.tensor(std, device=x.device).view(1, 3, 1, 1)
        return ((x - m) / sd).to(p.dtype)

    def encode_text(self, prompts: Sequence[str], tokenizer: Any) -> Any:
        """Unit-norm text embeddings (P, D) of ``prompts``."""
        import torch
        p = next(self.model.parameters())
        tc = getattr(self.model.config, "text_config", None)
        limit = getattr(tc, "max_position_embeddings", None)
        tok = tokenizer(list(prompts), padding=True, truncation=limit is not None, max_length=limit,
                        return_tensors="pt")
        with torch.inference_mode():
            out = self.model.get_text_features(input_ids=tok["input_ids"].to(p.device),
                                               attention_mask=tok["attention_mask"].to(p.device))
        out = out if isinstance(out, torch.Tensor) else out.pooler_output
        return torch.nn.functional.normalize(out.float(), dim=-1)

    # ---- the vision tower with the GEM path ---------------------------------------------------------
    def _run(self, pixel_values: Any) -> dict[str, Any]:
        """Forward the vision tower once; return the GEM stack (T, B, N, C), the original path's
        layer inputs/outputs of the GEM layers and the last layer's plain attention."""
        import torch
        D = self.config.layers
        gem_layers = self.layers_[-D:]
        caught: dict[tuple[int, str], Any] = {}
        hooks = []

        def keep(i: int, name: str):  # type: ignore[no-untyped-def]
            def hook(_m, _inp, out):  # type: ignore[no-untyped-def]
                caught[(i, name)] = out[0] if isinstance(out, tuple) else out
            return hook

        def keep_input(_m, args, kwargs):  # type: ignore[no-untyped-def]
            caught[(0, "in")] = args[0] if args else kwargs["hidden_states"]

        try:
            hooks.append(gem_layers[0].register_forward_pre_hook(keep_input, with_kwargs=True))
            for i, layer in enumerate(gem_layers):
                hooks += [layer.layer_norm1.register_forward_hook(keep(i, "ln1")),
                          layer.self_attn.q_proj.register_forward_hook(keep(i, "q")),
                          layer.self_attn.k_proj.register_forward_hook(keep(i, "k")),
                          layer.self_attn.v_proj.register_forward_hook(keep(i, "v")),
                          layer.register_forward_hook(keep(i, "out"))]
            interp = pixel_values.shape[-2:] != (self.vision.embeddings.image_size,) * 2
            with torch.inference_mode():
                self.vision(pixel_values=pixel_values, interpolate_pos_encoding=bool(interp))
        finally:
            for h in hooks:
                h.remove()
        with torch.inference_mode():
            return self._gem_path(caught, gem_layers)

    def _gem_path(self, caught: dict[tuple[int, str], Any], gem_layers: list[Any]) -> dict[str, Any]:
        import torch
        D = len(gem_layers)
        x_in = caught[(0, "in")].float()
        outs = [caught[(i, "out")].float() for i in range(D)]
        residuals = []
        for i, layer in enumerate(gem_layers):
            attn = layer.self_attn
            x = caught[(i, "ln1")].float()
            B, N, C = x.shape
            h = attn.num_heads
            qkv = torch.stack([caught[(i, n)].float() for n in ("q", "k", "v")])          # (3, B, N, C)
            qkv = qkv.view(3, B, N, h, C // h).transpose(2, 3)                           # (3, B, h, N, d)
            out = self_self_attention(qkv, x, attn.head_dim, self.config.iterations, self.config.temperature,
                                      self.config.temperature_scale)
            out = out.transpose(1, 2).reshape(B, N, C).to(attn.out_proj.weight.dtype)
            residuals.append(attn.out_proj(out).float())
        stack = torch.stack([x_in] + residuals)                                          # (D+1, B, N, C)
        last = gem_layers[-1].self_attn
        q, k = caught[(D - 1, "q")].float(), caught[(D - 1, "k")].float()
        B, N, C = q.shape
        q = q.view(B, N, last.num_heads, -1).transpose(1, 2)
        k = k.view(B, N, last.num_heads, -1).transpose(1, 2)
        cls_attn = ((q[:, :, :1] @ k.transpose(-1, -2)) * last.head_dim ** -0.5).softmax(-1)[:, :, 0, 1:].mean(1)
        return {"stack": stack, "inputs": [x_in] + outs[:-1], "outputs": outs, "cls_attention": cls_attn}

    def _project(self, tokens: Any) -> Any:
        """post-layernorm + visual projection of every token."""
        ln = self.vision.post_layernorm
        proj = self.model.visual_projection
        return proj(ln(tokens.to(ln.weight.dtype))).float()

    def layer_weights(self, run: dict[str, Any], text: Any) -> Any:
        """(B, P, T) weight of each stack term per frame and prompt."""
        import torch
        with torch.inference_mode():
            return self._layer_weights(run, text)

    def _layer_weights(self, run: dict[str, Any], text: Any) -> Any:
        import torch
        cfg = self.config
        stack = run["stack"]
        T, B = stack.shape[:2]
        static = torch.as_tensor(cfg.stack_weights(), dtype=torch.float32, device=stack.device)
        w = static.view(1, 1, T).expand(B, text.shape[0], T).clone()
        if cfg.weighting != "videogem":
            return w
        K = cfg.dynamic_layers
        final = run["outputs"][-1]
        # the original path's CLS with one of the last K layers' contributions left out
        left_out = torch.stack([final - (run["outputs"][j] - run["inputs"][j]) for j in range(T - 1 - K, T - 1)])
        cls = torch.nn.functional.normalize(self._project(left_out[:, :, 0]), dim=-1)    # (K, B, E)
        sims = torch.einsum("kbe,pe->bpk", cls, text)
        w[..., -K:] += (-cfg.dynamic_scale * sims).softmax(-1) - 1.0 / K
        return w

    def features(self, pixel_values: Any, text: Any) -> tuple[Any, dict[str, Any]]:
        """Unit patch features (B, P, N-1, E) per prompt, and the raw run."""
        import torch
        run = self._run(pixel_values)
        with torch.inference_mode():
            return self._features(run, text), run

    def _features(self, run: dict[str, Any], text: Any) -> Any:
        import torch
        w = self._layer_weights(run, text)
        tokens = torch.einsum("bpt,tbnc->bpnc", w, run["stack"][:, :, 1:])
        return torch.nn.functional.normalize(self._project(tokens), dim=-1)

    def heatmaps(self, pixel_values: Any, text: Any, size: tuple[int, int] | None = None, *,
                 normalize: bool = True, chunk: int = 16) -> Any:
        """(B, P, H, W) heatmaps: cosine of GEM patch features with each prompt, bilinear to
        ``size`` (default: the input size), min-max normalised per frame and prompt."""
        import torch
        maps = []
        text = text.to(pixel_values.device).float()
        for s in range(0, pixel_values.shape[0], chunk):
            feats, _ = self.features(pixel_values[s:s + chunk], text)
            with torch.inference_mode():
                sim = torch.einsum("bpne,pe->bpn", feats, text)
                maps.append(self.to_maps(sim, pixel_values.shape[-2:], size, normalize))
        return torch.cat(maps)

    def attention_maps(self, pixel_values: Any, size: tuple[int, int] | None = None, chunk: int = 16) -> Any:
        """(B, 1, H, W) plain last-layer CLS attention to the patches (head mean), min-max: the
        text-free baseline."""
        import torch
        with torch.inference_mode():
            out = [self.to_maps(self._run(pixel_values[s:s + chunk])["cls_attention"][:, None],
                                pixel_values.shape[-2:], size, True) for s in range(0, pixel_values.shape[0], chunk)]
            return torch.cat(out)

    def to_maps(self, patch_scores: Any, input_hw: Sequence[int], size: tuple[int, int] | None,
                normalize: bool) -> Any:
        import torch.nn.functional as F
        B, P, n = patch_scores.shape
        gh, gw = int(input_hw[0]) // self.patch_size, int(input_hw[1]) // self.patch_size
        if gh * gw != n:
            raise InputError(f"{n} patch tokens do not form a {gh}x{gw} grid")
        grid = patch_scores.reshape(B, P, gh, gw)
        out = F.interpolate(grid, size=tuple(size or input_hw), mode="bilinear", align_corners=False)
        return min_max(out) if normalize else out


def self_self_attention(qkv: Any, x: Any, head_dim: int, iterations: int = 1, temperature: float | None = None,
                        scale: float = 1.0) -> Any:
    """GEM's self-self attention on stacked (3, B, h, N, d) q, k, v (``x``: the layer-normed tokens
    (B, N, C) that gave them, for the adaptive temperature; ``scale`` multiplies the inverse
    temperature); returns the mean of the three paths' value assignments, (B, h, N, d)."""
    import torch.nn.functional as F
    if temperature is None:
        inv_temp = x.norm(dim=-1).mean(dim=-1).view(1, -1, 1, 1, 1) * (head_dim ** -0.5 * scale)
    else:
        inv_temp = float(temperature) * scale
    z = qkv
    for _ in range(iterations):
        z = F.normalize(z, dim=-1)
        z = ((z @ z.transpose(-1, -2)) * inv_temp).softmax(-1) @ z
    z = F.normalize(z, dim=-1)
    attn = ((z @ z.transpose(-1, -2)) * inv_temp).softmax(-1)
    return (attn @ qkv[2:3]).mean(0)


def min_max(maps: Any) -> Any:
    """Min-max over the last two dimensions (a constant map becomes 0)."""
    lo = maps.amin(dim=(-2, -1), keepdim=True)
    hi = maps.amax(dim=(-2, -1), keepdim=True)
    return (maps - lo) / (hi - lo).clamp_min(1e-12)


def combine(maps: Any, weights: Sequence[float]) -> tuple[Any, Any]:
    """Per frame: the weighted mean map of the prompts (B, H, W) and VideoGEM's point (B, 2)
    (x, y in pixels): the weighted mean of each prompt map's maximum."""
    import torch
    B, P, H, W = maps.shape
    w = torch.as_tensor(list(weights), dtype=maps.dtype, device=maps.device)
    if len(w) != P:
        raise InputError(f"{len(w)} prompt weights for {P} prompts")
    flat = maps.reshape(B, P, -1).argmax(-1)
    xy = torch.stack([flat % W, flat // W], -1).to(maps.dtype)                          # (B, P, 2)
    point = (xy * w.view(1, P, 1)).sum(1) / w.sum()
    mean = (maps * w.view(1, P, 1, 1)).sum(1) / w.sum()
    return mean, point
