"""How ``svag ground``'s options become a :class:`~svag.run.pipeline.GroundConfig`: shared by
single-video runs (:mod:`svag.cli.ground_cmd`) and batch runs (:mod:`svag.cli.ground_batch`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from svag.errors import InputError


def ground_config(args: argparse.Namespace, video: Path | None):  # type: ignore[no-untyped-def]
    """The run's :class:`GroundConfig` from the options (``video`` None for --batch: the batch
    worker points ``--detector mot`` at each video's det/det.txt)."""
    from svag.pipeline import GroundConfig
    detector_args = {"path": str(video / "det" / "det.txt")} if args.detector == "mot" and video else {}
    grounder_args: dict = {}
    if args.model or args.detector in ("owlv2", "grounding-dino", "omdet-turbo") or args.grounder in ("clip", "fusion"):
        from svag.vision.options import vision_arguments
        detector_args, grounder_args = vision_arguments(args.detector, args.grounder, args.model, args.device,
                                                        args.allow_download, args.no_cache)
    memory = getattr(args, "frame_memory", None)
    return GroundConfig(detector=args.detector, tracker=args.tracker, grounder=args.grounder,
                        grounder_args={**grounder_args, **grounder_options(args.grounder, args.grounder_option)},
                        detector_args={**detector_args, **parse_options(args.detector_option, "detector")},
                        stride=args.stride, resize=args.resize, fps=args.fps,
                        cache_dir="" if args.no_cache else None,
                        **({} if memory is None else {"frame_memory_mb": memory}))


def parse_options(items: list[str], what: str = "grounder") -> dict:
    """``KEY=VALUE`` strings to keyword arguments (values read as JSON when they parse: numbers,
    true/false, null; else kept as text)."""
    import json
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{what} option must be KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


def grounder_options(grounder: str, items: list[str]) -> dict:
    """``-O KEY=VALUE`` or ``-O GROUNDER.KEY=VALUE`` (the prefix must name ``--grounder``)."""
    out = {}
    for key, value in parse_options(items).items():
        prefix, dot, rest = key.partition(".")
        if dot:
            if prefix != grounder:
                raise InputError(f"-O {key}=...: the option is for grounder {prefix!r}, but --grounder is {grounder!r}")
            key = rest
        out[key] = value
    return out
