"""Object detectors behind one protocol (:class:`svag.detect.base.Detector`).

Detectors are registered explicitly in :data:`DETECTORS`; :func:`build_detector` builds one by
name from plain keyword arguments:

* ``mot``: public detections from a MOTChallenge ``det.txt`` (``path=``), scores normalised;
* ``motion``: background subtraction for static cameras (the default pixel detector:
  :data:`DEFAULT_DETECTOR`; fast, ~3 ms per 768x576 frame);
* ``hog``: OpenCV's HOG people detector (accurate boxes, ~0.2 s per frame);
* ``owlv2``, ``grounding-dino``, ``omdet-turbo``: open-vocabulary detectors through
  ``transformers`` (:mod:`svag.vision.detectors`; prompts = the queries' actor nouns; ~0.1
  frame/s on a CPU at full size, so use a GPU or ``--stride`` there).

OpenCV is imported only when a pixel detector is first used.
"""
from __future__ import annotations

from typing import Any, Callable

from svag.registry import build
from svag.detect.base import Detector, FrameDetections, detect_video
from svag.detect.hog import HogDetector
from svag.detect.mot_file import MotFileDetector, normalise_scores, read_detections
from svag.detect.motion import MotionDetector
from svag.detect.nms import nms

DETECTORS: dict[str, str | Callable[..., Detector]] = {
    "mot": "svag.detect.mot_file:MotFileDetector",
    "hog": "svag.detect.hog:HogDetector",
    "motion": "svag.detect.motion:MotionDetector",
    # open-vocabulary detectors (torch + transformers, imported when built; prompts via set_prompts)
    "owlv2": "svag.vision.detectors:Owlv2Detector",
    "grounding-dino": "svag.vision.detectors:GroundingDinoDetector",
    "omdet-turbo": "svag.vision.detectors:OmDetTurboDetector",
}
VISION_DETECTORS = ("owlv2", "grounding-dino", "omdet-turbo")
DEFAULT_DETECTOR = "motion"


def build_detector(name: str, **kwargs: Any) -> Detector:
    """The detector registered as ``name``, built with ``kwargs``."""
    return build("detector", DETECTORS, name, **kwargs)


__all__ = ["DEFAULT_DETECTOR", "DETECTORS", "Detector", "FrameDetections", "HogDetector", "MotFileDetector",
           "MotionDetector", "VISION_DETECTORS", "build_detector", "detect_video", "nms", "normalise_scores", "read_detections"]
