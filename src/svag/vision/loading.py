"""Load vision–language checkpoints by hub id or local folder, offline first.

    from svag.vision.loading import load_pretrained, resolve_device
    model, processor = load_pretrained("google/owlv2-base-patch16-ensemble", "Owlv2ForObjectDetection",
                                       device="auto")

* ``device``: ``auto`` (cuda, then mps, then cpu), ``cpu``, ``cuda``, ``cuda:N`` or ``mps``;
* ``dtype``: ``auto`` gives bfloat16 on CUDA (float16 where bf16 is unsupported), float16 on MPS
  and float32 on CPU; or ``float32`` / ``float16`` / ``bfloat16``;
* offline first: files are looked up in the local folder or the Hugging Face cache only; a
  missing checkpoint is an :class:`~svag.errors.InputError` that says how to get it. Set
  ``allow_download=True`` (CLI: ``--allow-download``) or ``SVAG_ALLOW_DOWNLOAD=1`` to let
  ``transformers`` fetch it once.

Loaded models are kept per process (keyed by checkpoint, class, device, dtype and options), so
a worker that grounds many videos loads each model once.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from svag.errors import InputError

_MODELS: dict[tuple, tuple[Any, Any]] = {}
_LOCK = threading.Lock()
INSTALL_HINT = "install the vision extra: pip install 'svag[vlm]'"


def require_transformers() -> Any:
    """The ``transformers`` module, or an InputError that says how to install it."""
    try:
        import transformers
    except ImportError as exc:  # pragma: no cover - the test environment has it
        raise InputError(f"vision models need the 'transformers' package ({exc}); {INSTALL_HINT}") from None
    return transformers


def resolve_device(device: str = "auto") -> str:
    """A torch device string for ``device`` (auto: cuda, then mps, then cpu); clear errors for
    devices this machine does not have."""
    import torch
    device = (device or "auto").lower()
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(f"--device {device}: no CUDA GPU is available here (use --device cpu or auto)")
        if ":" in device and int(device.split(":", 1)[1]) >= torch.cuda.device_count():
            raise InputError(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s)")
        return device
    if device == "mps":
        if getattr(torch.backends, "mps", None) is None or not torch.backends.mps.is_available():
            raise InputError("--device mps: Apple's MPS backend is not available here (use --device cpu or auto)")
        return device
    if device == "cpu":
        return device
    raise InputError(f"--device must be auto, cpu, cuda, cuda:N or mps, got {device!r}")


def resolve_dtype(device: str, dtype: str = "auto") -> Any:
    """The torch dtype for ``dtype`` on ``device`` (auto: half precision on GPUs, float32 on CPU)."""
    import torch
    names = {"float32": torch.float32, "fp32": torch.float32, "float16": torch.float16, "fp16": torch.float16,
             "half": torch.float16, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16}
    dtype = (dtype or "auto").lower()
    if dtype == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float16 if device == "mps" else torch.float32
    if dtype not in names:
        raise InputError(f"--dtype must be auto, float32, float16 or bfloat16, got {dtype!r}")
    return names[dtype]


def downloads_allowed(allow_download: bool | None = None) -> bool:
    if allow_download is not None:
        return bool(allow_download)
    return os.environ.get("SVAG_ALLOW_DOWNLOAD", "").strip().lower() in ("1", "true", "yes")


def load_pretrained(name_or_path: str | os.PathLike, model_class: str, *, processor_class: str | None = "AutoProcessor",
                    device: str = "auto", dtype: str = "auto", allow_download: bool | None = None,
                    model_kwargs: dict[str, Any] | None = None, processor_kwargs: dict[str, Any] | None = None,
                    cache: bool = True) -> tuple[Any, Any]:
    """``(model, processor)`` for a checkpoint (hub id or local folder), in eval mode on ``device``.

    ``model_class`` / ``processor_class`` name ``transformers`` classes (``"AutoModel"``,
    ``"Owlv2ForObjectDetection"``, ``"AutoProcessor"`` ...); ``processor_class=None`` loads no
    processor. ``model_kwargs`` go to ``from_pretrained`` (``attn_implementation="eager"`` for
    attention maps, for instance)."""
    transformers = require_transformers()
    dev = resolve_device(device)
    torch_dtype = resolve_dtype(dev, dtype)
    source = str(name_or_path)
    local = Path(source).expanduser()
    is_local = local.exists()
    if is_local and not (local / "config.json").is_file():
        raise InputError(f"model folder {local} has no config.json: expected a folder written by "
                         "save_pretrained() (config.json, weights, processor files)")
    if not is_local and (source.startswith((".", "/", "~")) or os.sep in source.strip("/").replace("/", "", 1)):
        raise InputError(f"model {source!r}: no such folder (expected a local checkpoint folder or a hub id "
                         "such as 'google/owlv2-base-patch16-ensemble')")
    key = (str(local.resolve()) if is_local else source, model_class, processor_class, dev, str(torch_dtype),
           repr(sorted((model_kwargs or {}).items())), repr(sorted((processor_kwargs or {}).items())))
    with _LOCK:
        if cache and key in _MODELS:
            return _MODELS[key]
        offline = not downloads_allowed(allow_download)
        where = str(local) if is_local else source
        try:
            model_cls = getattr(transformers, model_class)
            model = model_cls.from_pretrained(where, local_files_only=offline, dtype=torch_dtype,
                                              **(model_kwargs or {}))
            processor = None
            if processor_class is not None:
                proc_cls = getattr(transformers, processor_class)
                processor = proc_cls.from_pretrained(where, local_files_only=offline, **(processor_kwargs or {}))
        except AttributeError as exc:
            raise InputError(f"this transformers version ({transformers.__version__}) has no {exc.name or exc}; "
                             "upgrade transformers") from None
        except (OSError, ValueError) as exc:
            if is_local:
                raise InputError(f"cannot load the model in {local} as {model_class}: {str(exc).splitlines()[0]}") from None
            how = ("it is not in the local Hugging Face cache and downloads are off. Download it once on a machine "
                   f"with network (`huggingface-cli download {source}`, or rerun with --allow-download / "
                   f"SVAG_ALLOW_DOWNLOAD=1), or pass a local folder written by save_pretrained()")
            raise InputError(f"model {source!r}: {how} ({str(exc).splitlines()[0]})") from None
        model = model.to(dev).eval()
        result = (model, processor)
        if cache:
            _MODELS[key] = result
        return result


def clear_model_cache() -> None:
    """Forget every loaded model (frees their memory once nothing else holds them)."""
    with _LOCK:
        _MODELS.clear()
