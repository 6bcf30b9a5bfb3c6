"""Core data types and box arithmetic shared by every layer."""
from svag.core.boxes import iou_matrix, iou_paired
from svag.core.types import Dataset, Detections, Query, SvagData, Track, Window, as_windows

__all__ = ["Dataset", "Detections", "Query", "SvagData", "Track", "Window", "as_windows",
           "iou_matrix", "iou_paired"]
