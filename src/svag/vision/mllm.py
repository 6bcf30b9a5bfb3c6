"""Track, then ask: multimodal-LLM verification of candidate tracks and their moments.

A video-capable chat model (Qwen2.5-VL / Qwen3-VL, LLaVA-OneVision / LLaVA-Video; any
checkpoint that ``AutoModelForImageTextToText`` loads) is shown a short clip of one track — its
frames with the track's box drawn (``view="box"``) or crops around the box with context
(``view="crop"``) — and asked a yes/no question built from the query. The answer is read from
the next-token logits, never parsed from text: ``p(yes) = softmax([logit(yes), logit(no)])[0]``
where each side is the log-sum-exp over its spellings ("Yes", "yes", " Yes" ...).

Encode once, query many: a clip's pixels are preprocessed and passed through the vision tower
once (``encode``); every question about that clip reuses the visual tokens (``transformers``'
``mm_encoder_outputs``), so a new query costs only its language-model pass. Answers are kept
on disk keyed by (video, track, segment, view, model, prompt), so re-running a query set costs
nothing.

    verifier = MllmVerifier("Qwen/Qwen2.5-VL-3B-Instruct", device="cuda")
    p = verifier.verify(scene, [ClipSpec(track_id=3, start=10, end=120)], "a person walks to the left")
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from svag.core.types import Track
from svag.errors import InputError

DEFAULT_QUESTION = ("Look at the object marked by the red box in these frames of a video. "
                    "Does it do this: '{query}'? Answer yes or no.")
CROP_QUESTION = ("These frames show one object of a video, cropped around it. "
                 "Does it do this: '{query}'? Answer yes or no.")
_CONFIG_ARGS = ("vision_feature_layer", "vision_feature_select_strategy", "vision_aspect_ratio")
YES = ("Yes", "yes", "YES", " Yes", " yes")
NO = ("No", "no", "NO", " No", " no")


@dataclass(frozen=True)
class ClipSpec:
    """One question target: a track over frames ``start..end`` (1-based, inclusive)."""

    track_id: Any
    start: int
    end: int


def sample_frames(track: Track, start: int, end: int, max_frames: int) -> np.ndarray:
    """Up to ``max_frames`` frames of ``track`` inside [start, end], evenly spread (always
    frames where the track has a box; the first and last such frame included)."""
    inside = track.frames[(track.frames >= start) & (track.frames <= end)]
    if len(inside) <= max_frames:
        return inside
    pick = np.unique(np.round(np.linspace(0, len(inside) - 1, max_frames)).astype(np.int64))
    return inside[pick]


def draw_view(image: np.ndarray, box: np.ndarray, view: str, size: int, context: float) -> np.ndarray:
    """One RGB frame of a clip, ``size`` pixels on its longer side: the whole frame with the box
    drawn in red (``box``) or a crop around the box with ``context`` times its size added (``crop``)."""
    import cv2
    h, w = image.shape[:2]
    x, y, bw, bh = (float(v) for v in box)
    if view == "crop":
        cx, cy = x + bw / 2, y + bh / 2
        half_w, half_h = bw * (1 + context) / 2, bh * (1 + context) / 2
        x0, x1 = int(max(0, np.floor(cx - half_w))), int(min(w, np.ceil(cx + half_w)))
        y0, y1 = int(max(0, np.floor(cy - half_h))), int(min(h, np.ceil(cy + half_h)))
        if x1 <= x0 or y1 <= y0:
            x0, y0, x1, y1 = 0, 0, w, h
        out = image[y0:y1, x0:x1]
    else:
        out = image.copy()
        thick = max(2, int(round(max(h, w) / 200)))
        cv2.rectangle(out, (int(round(x)), int(round(y))), (int(round(x + bw)), int(round(y + bh))), (0, 0, 255), thick)
    scale = size / max(out.shape[:2])
    out = cv2.resize(out, (max(1, int(round(out.shape[1] * scale))), max(1, int(round(out.shape[0] * scale)))),
                     interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return np.ascontiguousarray(out[:, :, ::-1])         # BGR -> RGB


def read_clips(frames: Any, tracks: dict[Any, Track], specs: Sequence[ClipSpec], *, max_frames: int, view: str,
               size: int, context: float) -> list[list[np.ndarray]]:
    """The RGB frames of every clip, from one sorted pass over the video's frame source."""
    wanted: dict[int, list[tuple[int, int, np.ndarray]]] = {}
    picks = []
    for ci, spec in enumerate(specs):
        track = tracks[spec.track_id]
        idx = sample_frames(track, spec.start, spec.end, max_frames)
        picks.append(idx)
        rows = np.searchsorted(track.frames, idx)
        for j, (f, r) in enumerate(zip(idx.tolist(), rows.tolist())):
            wanted.setdefault(f, []).append((ci, j, track.boxes[r]))
    clips: list[list[np.ndarray | None]] = [[None] * len(p) for p in picks]
    for index, image in frames.read(sorted(wanted)):
        for ci, j, box in wanted.get(index, ()):
            clips[ci][j] = draw_view(image, box, view, size, context)
    for ci, clip in enumerate(clips):
        if any(c is None for c in clip) or not clip:
            raise InputError(f"track {specs[ci].track_id!r}: frames {picks[ci].tolist()} could not be read from the "
                             "video (is the video shorter than its tracks?)")
    return clips  # type: ignore[return-value]


def token_ids(tokenizer: Any, spellings: Iterable[str]) -> list[int]:
    """The ids of the spellings that are single tokens of ``tokenizer`` (without added specials)."""
    out = set()
    unk = getattr(tokenizer, "unk_token_id", None)
    for s in spellings:
        ids = tokenizer.encode(s, add_special_tokens=False)
        if len(ids) == 1 and ids[0] != unk:
            out.add(int(ids[0]))
    return sorted(out)


def load_chat_model(name_or_path: str | os.PathLike, *, device: str = "auto", dtype: str = "auto",
                    allow_download: bool | None = None) -> tuple[Any, Any]:
    """``(model, processor)`` of a video-chat checkpoint (hub id or local folder).

    The processor is built from its parts when ``AutoProcessor`` cannot build it (its video
    half needs torchvision, which CPU installs of svag do not have: clips are then given to the
    model as a sequence of images)."""
    from svag.vision.loading import downloads_allowed, load_pretrained, require_transformers
    transformers = require_transformers()
    model, _ = load_pretrained(name_or_path, "AutoModelForImageTextToText", processor_class=None, device=device,
                               dtype=dtype, allow_download=allow_download)
    where = str(Path(name_or_path).expanduser()) if Path(name_or_path).expanduser().exists() else str(name_or_path)
    offline = not downloads_allowed(allow_download)
    try:
        processor = transformers.AutoProcessor.from_pretrained(where, local_files_only=offline)
    except (ImportError, AttributeError, ValueError, TypeError, OSError):
        processor = _processor_from_parts(transformers, where, model, offline)
    tok = getattr(processor, "tokenizer", None)
    if tok is None:
        raise InputError(f"model {name_or_path!s}: its processor has no tokenizer; expected a chat model")
    tok.padding_side = "left"                 # the next token of every row is then at position -1
    return model, processor


def _processor_from_parts(transformers: Any, where: str, model: Any, offline: bool) -> Any:
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES
    from transformers.utils import cached_file

    def read(name: str) -> str | None:
        try:
            path = cached_file(where, name, local_files_only=offline, _raise_exceptions_for_missing_entries=False)
        except OSError:
            return None
        return Path(path).read_text() if path else None

    cfg = json.loads(read("processor_config.json") or "{}")
    cls_name = cfg.pop("processor_class", None) or PROCESSOR_MAPPING_NAMES.get(model.config.model_type)
    if not cls_name or not hasattr(transformers, cls_name):
        raise InputError(f"model {where}: cannot tell which processor it needs (no processor_config.json)")
    tokenizer = transformers.AutoTokenizer.from_pretrained(where, local_files_only=offline)
    image_processor = transformers.AutoImageProcessor.from_pretrained(where, local_files_only=offline, backend="pil")
    template = read("chat_template.jinja")
    if template is None and (raw := read("chat_template.json")):
        template = json.loads(raw).get("chat_template")
    template = template or getattr(tokenizer, "chat_template", None)
    base = getattr(transformers, cls_name)
    parts = {"image_processor": image_processor, "tokenizer": tokenizer}
    if "video_processor" in base.get_attributes():
        parts["video_processor"] = None                # images only: the video half needs torchvision

    class ImagesOnly(base):  # type: ignore[misc, valid-type]
        def check_argument_for_proper_class(self, argument_name: str, argument: Any) -> Any:
            if argument is None and argument_name == "video_processor":
                return type(None)
            return super().check_argument_for_proper_class(argument_name, argument)

    cls = ImagesOnly
    allowed = set(inspect.signature(cls.__init__).parameters) - {"self", "args", "kwargs"}
    extra = {k: v for k, v in cfg.items() if k in allowed}
    return cls(**parts, chat_template=template, **extra)


class MllmVerifier:
    """Yes/no verification of track clips by a video-chat model (see the module docstring).

    ``view``: ``box`` (whole frames, box drawn) or ``crop`` (crops with ``context``);
    ``max_frames`` frames per clip, ``size`` pixels on a frame's longer side; ``batch_size`` clips
    per forward pass; ``max_prompt_tokens`` caps the question's length; ``question`` is a format
    string with ``{query}``; ``cache_dir`` keeps the answers on disk ("" disables it)."""

    def __init__(self, model: str | os.PathLike = "Qwen/Qwen2.5-VL-3B-Instruct", *, device: str = "auto",
                 dtype: str = "auto", view: str = "box", max_frames: int = 8, size: int = 336, context: float = 0.5,
                 batch_size: int = 4, max_prompt_tokens: int = 96, question: str | None = None,
                 cache_dir: str | os.PathLike | None = None, allow_download: bool | None = None) -> None:
        if view not in ("box", "crop"):
            raise InputError(f"mllm view must be 'box' or 'crop', got {view!r}")
        for name, value in (("max_frames", max_frames), ("size", size), ("batch_size", batch_size),
                            ("max_prompt_tokens", max_prompt_tokens)):
            if int(value) < 1:
                raise InputError(f"mllm {name} must be at least 1, got {value}")
        if question is not None and "{query}" not in question:
            raise InputError("mllm question must contain '{query}' where the query text goes")
        self.model, self.device, self.dtype, self.view = str(model), device, dtype, view
        self.max_frames, self.size, self.context = int(max_frames), int(size), float(context)
        self.batch_size, self.max_prompt_tokens = int(batch_size), int(max_prompt_tokens)
        self.question = question or (CROP_QUESTION if view == "crop" else DEFAULT_QUESTION)
        self.cache_dir, self.allow_download = cache_dir, allow_download
        self.calls_ = {"vision": 0, "language": 0}     # forward passes, for budgets and tests
        self._loaded: tuple[Any, Any] | None = None
        self._visual: dict[tuple, tuple[Any, Any]] = {}  # clip key -> (processed pixels, visual tokens)
        self._answers: dict[str, float] | None = None

    # -- model ---------------------------------------------------------------------------------

    def load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            self._loaded = load_chat_model(self.model, device=self.device, dtype=self.dtype,
                                           allow_download=self.allow_download)
            tok = self._loaded[1].tokenizer
            self.yes_ids_, self.no_ids_ = token_ids(tok, YES), token_ids(tok, NO)
            if not self.yes_ids_ or not self.no_ids_:
                raise InputError(f"model {self.model}: its tokenizer has no single token for yes/no answers")
        return self._loaded

    def prompt(self, query: str, n_frames: int) -> str:
        """The chat prompt (with the model's own template) asking about one clip."""
        _, processor = self.load()
        text = self.question.format(query=" ".join(query.split()))
        ids = processor.tokenizer.encode(text, add_special_tokens=False)
        if len(ids) > self.max_prompt_tokens:
            raise InputError(f"query {query[:60]!r}...: the question is {len(ids)} tokens long, more than "
                             f"max_prompt_tokens={self.max_prompt_tokens}")
        content = [{"type": "image"} for _ in range(n_frames)] + [{"type": "text", "text": text}]
        return processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True,
                                             tokenize=False)

    # -- keys and the answer cache ----------------------------------------------------------------

    def _clip_key(self, scene: Any, spec: ClipSpec) -> tuple:
        return (getattr(scene, "key", "") or getattr(scene, "name", ""), str(spec.track_id), int(spec.start),
                int(spec.end), self.view, self.max_frames, self.size, self.context)

    def _answer_key(self, clip_key: tuple, query: str) -> str:
        raw = json.dumps([*clip_key, self.model, self.question, " ".join(query.split())], default=str)
        return hashlib.sha1(raw.encode()).hexdigest()

    def _answer_file(self, scene: Any) -> Path | None:
        if self.cache_dir == "":
            return None
        root = Path(self.cache_dir) if self.cache_dir else getattr(scene, "cache_dir", None)
        return None if root is None else Path(root) / "mllm_answers.json"

    def _load_answers(self, scene: Any) -> dict[str, float]:
        if self._answers is None:
            self._answers = {}
            path = self._answer_file(scene)
            if path is not None and path.is_file():
                try:
                    self._answers = {k: float(v) for k, v in json.loads(path.read_text()).items()}
                except (ValueError, AttributeError):
                    self._answers = {}           # a damaged cache is rebuilt, never trusted
        return self._answers

    def _save_answers(self, scene: Any) -> None:
        path = self._answer_file(scene)
        if path is None or self._answers is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._answers))
        os.replace(tmp, path)

    # -- encode once --------------------------------------------------------------------------------

    def encode(self, scene: Any, specs: Sequence[ClipSpec]) -> None:
        """Preprocess and run the vision tower on every clip not encoded yet (once per clip)."""
        import torch
        model, processor = self.load()
        todo = [s for s in dict.fromkeys(specs) if self._clip_key(scene, s) not in self._visual]
        if not todo:
            return
        frames = getattr(scene, "frames", None)
        if frames is None:
            raise InputError(f"scene {getattr(scene, 'name', '')!r} has no pixels: the mllm verifier needs a video "
                             "(a video file, a frame folder or a MOT sequence with images)")
        tracks = {t.track_id: t for t in scene.tracks}
        missing = [s.track_id for s in todo if s.track_id not in tracks]
        if missing:
            raise InputError(f"track {missing[0]!r} is not a track of scene {getattr(scene, 'name', '')!r}")
        clips = read_clips(frames, tracks, todo, max_frames=self.max_frames, view=self.view, size=self.size,
                           context=self.context)
        inner = getattr(model, "model", model)
        wanted = set(inspect.signature(inner.get_image_features).parameters)
        for spec, clip in zip(todo, clips):
            pixels = processor.image_processor(images=[clip], return_tensors="pt")  # one sample, n images
            inputs = {k: v.to(model.device) for k, v in pixels.items() if hasattr(v, "to")}
            for k, v in inputs.items():
                if torch.is_floating_point(v):
                    inputs[k] = v.to(model.dtype)
            args = {k: v for k, v in pixels.items() if k in wanted}
            args.update({k: v for k, v in inputs.items() if k in wanted})
            args.update({k: getattr(model.config, k) for k in _CONFIG_ARGS
                         if k in wanted and getattr(model.config, k, None) is not None})
            with torch.inference_mode():
                visual = inner.get_image_features(**args, return_dict=True)
            self.calls_["vision"] += 1
            self._visual[self._clip_key(scene, spec)] = (clip, pixels, visual)

    # -- query many ----------------------------------------------------------------------------------

    def verify(self, scene: Any, specs: Sequence[ClipSpec], query: str) -> np.ndarray:
        """p(yes) for each clip (order of ``specs``); cached answers are not asked again."""
        answers = self._load_answers(scene)
        keys = [self._answer_key(self._clip_key(scene, s), query) for s in specs]
        out = np.full(len(specs), np.nan)
        todo = [i for i, k in enumerate(keys) if k not in answers]
        for i, k in enumerate(keys):
            if k in answers:
                out[i] = answers[k]
        if todo:
            self.encode(scene, [specs[i] for i in todo])
            for lo in range(0, len(todo), self.batch_size):
                batch = todo[lo:lo + self.batch_size]
                probs = self._ask(scene, [specs[i] for i in batch], query)
                for i, p in zip(batch, probs.tolist()):
                    out[i] = answers[keys[i]] = float(p)
            self._save_answers(scene)
        return out

    def _ask(self, scene: Any, specs: Sequence[ClipSpec], query: str) -> np.ndarray:
        import torch
        model, processor = self.load()
        entries = [self._visual[self._clip_key(scene, s)] for s in specs]
        texts = [self.prompt(query, len(clip)) for clip, _, _ in entries]
        real = processor.image_processor
        processor.image_processor = _CachedImages(real, [pixels for _, pixels, _ in entries])
        try:
            inputs = processor(text=texts, images=[clip for clip, _, _ in entries], return_tensors="pt",
                               padding=True)
        finally:
            processor.image_processor = real
        inputs = {k: v.to(model.device) for k, v in inputs.items() if hasattr(v, "to") and k != "pixel_values"}
        visual = _merge_visual([vis for _, _, vis in entries])
        with torch.inference_mode():
            logits = model(**inputs, mm_encoder_outputs={"image": visual}, logits_to_keep=1).logits[:, -1].float()
        self.calls_["language"] += 1
        yes = torch.logsumexp(logits[:, self.yes_ids_], dim=-1)
        no = torch.logsumexp(logits[:, self.no_ids_], dim=-1)
        return torch.sigmoid(yes - no).cpu().numpy()


def _merge_visual(outputs: Sequence[Any]) -> Any:
    """One vision-tower output for a batch of clips from each clip's own: the per-image parts
    joined in clip order — ``pooler_output`` (a tuple of per-image tensors) and, for models that
    add visual features inside the language model (Qwen3-VL's ``deepstack_features``: per layer, a
    tuple of per-image tensors), each layer's tuples. Other fields are not read by the forward pass."""
    first = outputs[0]
    parts: dict[str, Any] = {"pooler_output": tuple(t for o in outputs for t in o.pooler_output)}
    deep = getattr(first, "deepstack_features", None)
    if deep is not None:
        parts["deepstack_features"] = [tuple(t for o in outputs for t in o.deepstack_features[layer])
                                       for layer in range(len(deep))]
    return type(first)(**parts)


class _CachedImages:
    """Stands in for a processor's image processor during one call: returns the already
    processed pixels of the batch's clips (so the processor only expands the text)."""

    def __init__(self, real: Any, parts: Sequence[Any]) -> None:
        self.real, self.parts = real, parts

    def __call__(self, images: Any = None, **kwargs: Any) -> Any:
        import torch
        from transformers import BatchFeature
        keys = self.parts[0].keys()
        merged = {}
        for k in keys:
            vals = [p[k] for p in self.parts]
            merged[k] = torch.cat(vals) if hasattr(vals[0], "shape") else [x for v in vals for x in v]
        return BatchFeature(merged)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
