"""OpenCV, imported only by the detectors that need it."""
from __future__ import annotations

from types import ModuleType

from svag.errors import MissingDependencyError


def import_cv2(feature: str) -> ModuleType:
    try:
        import cv2
    except ImportError:
        raise MissingDependencyError("opencv-python-headless", "video", feature) from None
    return cv2
