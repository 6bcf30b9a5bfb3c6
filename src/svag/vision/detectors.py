"""Open-vocabulary detectors through ``transformers``: OWLv2, Grounding DINO (and the
MM-Grounding-DINO / LLMDet checkpoints, same class) and OmDet-Turbo, behind svag's
:class:`~svag.detect.base.Detector` protocol.

    det = build_detector("owlv2", model="google/owlv2-base-patch16-ensemble")
    det.set_prompts(["a dog runs to the left", "a man waits"])   # or prompts=("dog", "person")
    det.reset()                       # loads the model, encodes the prompts once
    dets = det.detect(frame)          # boxes xywh, scores, extras["category"], extras["category_score"]
    many = det.detect_batch(frames)   # one forward pass for several frames

Prompts are the actor nouns of the video's queries (:func:`svag.vision.prompts.actor_prompts`),
given as query texts through ``set_prompts`` (the pipeline's path for detectors that take
prompts); ``prompts=`` given to the constructor wins over them.
Every box gets the prompt it matches best as ``extras["category"]`` with its confidence, which
the tracker turns into ``Track.category``. Post-processing is svag's own and the same for the
three: per box the best prompt, a score threshold, then non-maximum suppression across prompts.

CPU note: a full-size detector runs at about 0.1 frame/s on a 2-core CPU; use ``--stride`` (or
``--resize``) there, and a GPU for whole videos.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from svag.detect.base import FrameDetections
from svag.detect.nms import nms
from svag.errors import InputError
from svag.video.reader import Frame

DEFAULT_MODELS = {"owlv2": "google/owlv2-base-patch16-ensemble", "grounding-dino": "IDEA-Research/grounding-dino-tiny",
                  "omdet-turbo": "omlab/omdet-turbo-swin-tiny-hf"}
DEFAULT_PROMPTS = ("person",)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


class OpenVocabDetector:
    """Shared machinery; subclasses set ``arch``, ``model_class``, ``processor_class`` and
    implement ``_encode_prompts`` and ``_forward`` (-> per-box prompt scores and normalised boxes)."""

    arch = ""
    model_class = ""
    processor_class: str | None = "AutoProcessor"

    def __init__(self, *, model: str | None = None, prompts: Sequence[str] | None = None,
                 threshold: float = 0.2, nms_iou: float = 0.5, max_detections: int = 100, batch_size: int = 8,
                 device: str = "auto", dtype: str = "auto", allow_download: bool | None = None) -> None:
        self.model = model
        self.fixed_prompts = prompts is not None          # given explicitly: set_prompts does not replace them
        self.prompts = DEFAULT_PROMPTS if prompts is None else prompts
        self.threshold = threshold
        self.nms_iou = nms_iou
        self.max_detections = max_detections
        self.batch_size = batch_size
        self.device = device
        self.dtype = dtype
        self.allow_download = allow_download

    # -- protocol ------------------------------------------------------------------------------------

    def set_prompts(self, texts: list[str]) -> None:
        """The actor nouns of these query texts become the prompts (``("person",)`` when none
        names an actor), unless prompts were given to the constructor."""
        if self.fixed_prompts:
            return
        from svag.language.parser import parse_queries
        from svag.vision.prompts import actor_prompts
        self.prompts = actor_prompts(parse_queries(list(texts)) if texts else ())

    def reset(self) -> None:
        from svag.vision.loading import load_pretrained
        prompts = tuple(dict.fromkeys(str(p).strip().lower() for p in ([self.prompts] if isinstance(self.prompts, str)
                                                                            else self.prompts) if str(p).strip()))
        if not prompts:
            raise InputError(f"detector {self.arch!r}: no prompt to detect (give the actor nouns, e.g. prompts=['person'])")
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"detector {self.arch!r}: threshold must be in [0, 1], got {self.threshold}")
        self.prompts_ = prompts
        self.model_, self.processor_ = load_pretrained(self.model or DEFAULT_MODELS[self.arch], self.model_class,
                                                       processor_class=self.processor_class, device=self.device,
                                                       dtype=self.dtype, allow_download=self.allow_download)
        param = next(self.model_.parameters())
        self.torch_device_, self.torch_dtype_ = param.device, param.dtype
        self.text_ = self._encode_prompts(prompts)
        self.calls_ = 0

    def detect(self, frame: Frame) -> FrameDetections:
        return self.detect_batch([frame])[0]

    def detect_batch(self, frames: Sequence[Frame]) -> list[FrameDetections]:
        """Detections of several frames (forward passes of ``batch_size`` frames)."""
        if not hasattr(self, "model_"):
            self.reset()
        import torch
        out: list[FrameDetections] = []
        for i in range(0, len(frames), max(1, self.batch_size)):
            chunk = frames[i:i + max(1, self.batch_size)]
            images = [np.ascontiguousarray(f.image[:, :, ::-1]) for f in chunk]       # BGR -> RGB
            with torch.inference_mode():
                scores, boxes = self._forward(images)
            self.calls_ += 1
            for img, s, b in zip(images, scores, boxes):
                out.append(self._finish(s, b, img.shape[1], img.shape[0]))
        return out

    # -- shared post-processing ----------------------------------------------------------------------

    def _box_scale(self, width: int, height: int) -> np.ndarray:
        return np.array([width, height, width, height], np.float64)

    def _finish(self, scores: np.ndarray, boxes: np.ndarray, width: int, height: int) -> FrameDetections:
        """``scores`` (Q, P) per query box and prompt in [0, 1], ``boxes`` (Q, 4) normalised
        cx, cy, w, h -> thresholded, NMS'd detections in pixels with their category."""
        best = scores.argmax(axis=1) if scores.size else np.zeros(0, np.int64)
        conf = scores[np.arange(len(scores)), best] if scores.size else np.zeros(0)
        keep = np.flatnonzero(conf >= self.threshold)
        if len(keep) == 0:
            return FrameDetections.empty()
        b = boxes[keep].astype(np.float64) * self._box_scale(width, height)
        xywh = np.column_stack([b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2, b[:, 2], b[:, 3]])
        x0 = np.clip(xywh[:, 0], 0, width)
        y0 = np.clip(xywh[:, 1], 0, height)
        x1 = np.clip(xywh[:, 0] + xywh[:, 2], 0, width)
        y1 = np.clip(xywh[:, 1] + xywh[:, 3], 0, height)
        xywh = np.column_stack([x0, y0, x1 - x0, y1 - y0])
        ok = (xywh[:, 2] > 1) & (xywh[:, 3] > 1)
        keep, xywh = keep[ok], xywh[ok]
        sc = conf[keep].astype(np.float64)
        kept = nms(xywh, sc, self.nms_iou)[: self.max_detections]
        cats = np.array([self.prompts_[k] for k in best[keep][kept]], dtype=object)
        return FrameDetections(xywh[kept], sc[kept], labels=best[keep][kept],
                               extras={"category": cats, "category_score": sc[kept]})

    def _pixels(self, images: list[np.ndarray]) -> dict[str, Any]:
        enc = self.processor_(images=images, return_tensors="pt")
        return {k: v.to(self.torch_device_, self.torch_dtype_ if v.is_floating_point() else v.dtype)
                for k, v in enc.items()}

    def _encode_prompts(self, prompts: tuple[str, ...]) -> dict[str, Any]:
        raise NotImplementedError

    def _forward(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def _numpy(t: Any) -> np.ndarray:
    return t.float().cpu().numpy()


class Owlv2Detector(OpenVocabDetector):
    """OWLv2 (and OWL-ViT v1 checkpoints with ``model_class="OwlViTForObjectDetection"``).

    The text tower runs once per prompt set (``reset``): the prompts' embeddings are computed by
    the CLIP backbone's ``get_text_features`` and normalised as the model's forward does, and
    every frame batch runs only the image tower and the detection heads (``image_embedder``,
    ``class_predictor``, ``box_predictor``), which gives the same logits and boxes as the full
    forward pass (tested)."""

    arch = "owlv2"
    model_class = "Owlv2ForObjectDetection"

    def _encode_prompts(self, prompts: tuple[str, ...]) -> dict[str, Any]:
        import torch
        tok = self.processor_.tokenizer(text=[f"a photo of a {p}" for p in prompts], padding="max_length",
                                        truncation=True, return_tensors="pt")
        tok = {k: v.to(self.torch_device_) for k, v in tok.items()}
        backbone = getattr(self.model_, "owlv2", None) or self.model_.owlvit
        with torch.inference_mode():
            out = backbone.get_text_features(input_ids=tok["input_ids"], attention_mask=tok["attention_mask"])
        emb = getattr(out, "pooler_output", out)              # transformers 5: an output object; 4: the tensor
        self.text_embeds_ = emb / torch.linalg.norm(emb, ord=2, dim=-1, keepdim=True)
        self.query_mask_ = tok["input_ids"][:, 0] > 0         # the model's rule for padded queries
        return tok

    def _box_scale(self, width: int, height: int) -> np.ndarray:
        side = max(width, height)                        # OWLv2 pads images to a square (bottom/right)
        return np.array([side, side, side, side], np.float64)

    def _forward(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        m = self.model_
        feature_map = m.image_embedder(pixel_values=self._pixels(images)["pixel_values"])[0]    # (B, h, w, D)
        b, h, w, d = feature_map.shape
        feats = feature_map.reshape(b, h * w, d)
        queries = self.text_embeds_[None].expand(b, -1, -1)
        logits, _ = m.class_predictor(feats, queries, self.query_mask_[None].expand(b, -1))
        boxes = m.box_predictor(feats, feature_map)
        return _numpy(logits.sigmoid()), _numpy(boxes)


class GroundingDinoDetector(OpenVocabDetector):
    """Grounding DINO, MM-Grounding-DINO and LLMDet checkpoints: the prompts as one caption
    ("person . dog ."); a box's score for a prompt is its best token score within that prompt."""

    arch = "grounding-dino"
    model_class = "GroundingDinoForObjectDetection"

    def _encode_prompts(self, prompts: tuple[str, ...]) -> dict[str, Any]:
        import torch
        tokenizer = self.processor_.tokenizer
        tok = tokenizer(text=" . ".join(prompts) + " .", return_tensors="pt")
        ids = tok["input_ids"][0].tolist()
        dot = tokenizer.convert_tokens_to_ids(".")
        special = set(tokenizer.all_special_ids)
        owner = np.full(len(ids), -1)
        k = 0
        for i, t in enumerate(ids):
            if t == dot:
                k += 1
            elif t not in special and k < len(prompts):
                owner[i] = k
        member = np.zeros((len(ids), len(prompts)), bool)
        member[owner >= 0, owner[owner >= 0]] = True
        self.member_ = torch.as_tensor(member)
        return {k: v.to(self.torch_device_) for k, v in tok.items()}

    def _forward(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        import torch
        n = len(images)
        text = {k: v.repeat(n, 1) for k, v in self.text_.items()}
        out = self.model_(**self._pixels(images), **text)
        probs = out.logits.sigmoid().float()[:, :, : self.member_.shape[0]]          # (B, Q, T)
        member = self.member_.to(probs.device)
        per_prompt = torch.where(member[None, None], probs[..., None], torch.zeros((), device=probs.device)).amax(2)
        return per_prompt.cpu().numpy(), _numpy(out.pred_boxes)


class OmDetTurboDetector(OpenVocabDetector):
    """OmDet-Turbo. transformers' processor for it needs torchvision, so svag brings its own
    preprocessing (resize to the model's square input, ImageNet normalisation) and only loads
    the tokenizer."""

    arch = "omdet-turbo"
    model_class = "OmDetTurboForObjectDetection"
    processor_class = "AutoTokenizer"

    def _encode_prompts(self, prompts: tuple[str, ...]) -> dict[str, Any]:
        import torch
        kw = dict(padding="max_length", truncation=True, max_length=77, return_tensors="pt")
        classes = self.processor_(text=list(prompts), **kw)
        task = self.processor_(text=[f"Detect {', '.join(prompts)}."], **kw)
        return {"classes_input_ids": classes["input_ids"], "classes_attention_mask": classes["attention_mask"],
                "tasks_input_ids": task["input_ids"], "tasks_attention_mask": task["attention_mask"],
                "classes_structure": torch.tensor([len(prompts)])}

    def _forward(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        import cv2
        import torch
        size = self.model_.config.backbone_config.image_size
        size = size if isinstance(size, int) else size[0]
        batch = np.stack([cv2.resize(im, (size, size), interpolation=cv2.INTER_LINEAR) for im in images])
        batch = (batch.astype(np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
        pixels = torch.from_numpy(batch.transpose(0, 3, 1, 2).copy()).to(self.torch_device_, self.torch_dtype_)
        n = len(images)
        t = self.text_
        text = {"classes_input_ids": t["classes_input_ids"].repeat(n, 1),
                "classes_attention_mask": t["classes_attention_mask"].repeat(n, 1),
                "tasks_input_ids": t["tasks_input_ids"].repeat(n, 1),
                "tasks_attention_mask": t["tasks_attention_mask"].repeat(n, 1),
                "classes_structure": t["classes_structure"].repeat(n)}
        out = self.model_(pixel_values=pixels, **{k: v.to(self.torch_device_) for k, v in text.items()})
        return _numpy(out.decoder_class_logits.sigmoid()), _numpy(out.decoder_coord_logits)
