"""Command-line options of the vision stages, turned into detector / grounder keyword arguments
(kept here so that ``svag ground`` stays thin and imports no vision code unless asked)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from svag.errors import InputError

DETECTOR_TYPES = {"owlv2": "owlv2", "owlvit": "owlv2", "grounding-dino": "grounding-dino",
                  "mm-grounding-dino": "grounding-dino", "omdet-turbo": "omdet-turbo"}
VISION_GROUNDERS = ("clip", "fusion")


def model_kind(model: str) -> str:
    """"detector" or "embedder" for a checkpoint folder (by its config's model_type) or hub id (by name)."""
    cfg = Path(model).expanduser() / "config.json"
    if cfg.is_file():
        try:
            kind = str(json.loads(cfg.read_text()).get("model_type", "")).replace("_", "-")
        except ValueError:
            raise InputError("not a JSON file", file=str(cfg)) from None
    else:
        kind = model.lower()
    return "detector" if any(k in kind for k in ("owl", "grounding", "omdet", "llmdet")) else "embedder"


def vision_arguments(detector: str, grounder: str, models: Sequence[str], device: str,
                     allow_download: bool, no_cache: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """(detector kwargs, grounder kwargs) for a vision detector and/or grounder: each ``--model``
    goes to the stage it belongs to (the detector's prompts come from the query texts through
    its ``set_prompts``); ``no_cache``: crop embeddings stay in memory."""
    kinds = {m: model_kind(m) for m in models}

    def stage_args(kind: str, label: str) -> dict[str, Any]:
        out: dict[str, Any] = {"device": device}
        chosen = [m for m, k in kinds.items() if k == kind]
        if len(chosen) > 1:
            raise InputError(f"several {label} checkpoints given with --model: {chosen}")
        if chosen:
            out["model"] = chosen[0]
        if allow_download:
            out["allow_download"] = True
        return out

    det = stage_args("detector", "detector") if detector in DETECTOR_TYPES.values() else {}
    grd = stage_args("embedder", "CLIP/SigLIP") if grounder in VISION_GROUNDERS else {}
    if grd and no_cache:
        grd["cache_dir"] = ""
    unused = [m for m, k in kinds.items() if (k == "detector" and not det) or (k == "embedder" and not grd)]
    if unused:
        raise InputError(f"--model {unused[0]} is not used: it is a {kinds[unused[0]]} checkpoint but the "
                         f"{'detector' if kinds[unused[0]] == 'detector' else 'grounder'} does not take one "
                         f"(vision detectors: {', '.join(sorted(set(DETECTOR_TYPES.values())))}; "
                         f"vision grounders: {', '.join(VISION_GROUNDERS)})")
    return det, grd
