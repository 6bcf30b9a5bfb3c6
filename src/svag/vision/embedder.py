"""Image and text embeddings of a CLIP or SigLIP checkpoint (anything ``AutoModel`` loads with
``get_image_features`` / ``get_text_features``), L2-normalised, with the model's logit scale.

    m = ImageTextEmbedder("openai/clip-vit-base-patch16", device="auto")
    img = m.encode_images([rgb_crop, ...])       # (N, D) float32
    txt = m.encode_texts(["a photo of a dog"])   # (M, D)
    logits = m.scale * img @ txt.T + m.bias
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

DEFAULT_MODEL = "openai/clip-vit-base-patch16"


class ImageTextEmbedder:
    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", dtype: str = "auto",
                 allow_download: bool | None = None) -> None:
        from svag.vision.loading import load_pretrained
        self.name = str(model)
        self.model_, self.processor_ = load_pretrained(model, "AutoModel", device=device, dtype=dtype,
                                                       allow_download=allow_download)
        p = next(self.model_.parameters())
        self.device_, self.dtype_ = p.device, p.dtype
        self.siglip = "siglip" in type(self.model_).__name__.lower()
        scale = getattr(self.model_, "logit_scale", None)
        self.scale = float(scale.detach().exp()) if scale is not None else 100.0
        bias = getattr(self.model_, "logit_bias", None)
        self.bias = float(bias.detach()) if bias is not None else 0.0
        self.image_calls = 0
        self._texts: dict[str, np.ndarray] = {}

    @staticmethod
    def _features(out: Any) -> Any:
        return out if hasattr(out, "norm") else getattr(out, "pooler_output", None) if getattr(
            out, "pooler_output", None) is not None else out[0]

    def encode_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(N, D) embeddings of RGB uint8 images (any size: the processor resizes)."""
        import torch
        self.image_calls += 1
        enc = self.processor_(images=list(images), return_tensors="pt")
        pix = enc["pixel_values"].to(self.device_, self.dtype_)
        with torch.inference_mode():
            f = self._features(self.model_.get_image_features(pixel_values=pix)).float()
        return torch.nn.functional.normalize(f, dim=-1).cpu().numpy()

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(M, D) embeddings of texts (memoised per text)."""
        import torch
        new = [t for t in dict.fromkeys(texts) if t not in self._texts]
        if new:
            tok = self.processor_.tokenizer
            # one fixed length: new shapes cost far more than padding on CPU (kernel set-up per shape)
            kw = {"padding": "max_length",
                  "max_length": min(77, getattr(self.model_.config.text_config, "max_position_embeddings", 64))}
            enc = tok(text=new, truncation=True, return_tensors="pt", **kw)
            enc = {k: v.to(self.device_) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
            if self.siglip:
                enc.pop("attention_mask", None)
            with torch.inference_mode():
                f = self._features(self.model_.get_text_features(**enc)).float()
            for t, row in zip(new, torch.nn.functional.normalize(f, dim=-1).cpu().numpy()):
                self._texts[t] = row
        return np.stack([self._texts[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
