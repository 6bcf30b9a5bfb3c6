"""Per-box extras (category, confidence, embeddings) from detections to tracks."""
import numpy as np
import pytest

from svag.core.types import Detections, Track, vote_category
from svag.detect.base import FrameDetections, concat_extras
from svag.track.extras import transfer_extras
from svag.track.pipeline import track_video


def test_vote_category_weighs_scores_and_ignores_unnamed():
    names = np.array(["person", "car", None, "person", ""], dtype=object)
    scores = np.array([0.8, 0.9, 0.5, 0.8, 0.3])
    # person 1.6 vs car 0.9 over 3 named boxes
    assert vote_category(names, scores) == ("person", pytest.approx(1.6 / 3))
    assert vote_category(np.array([None, None], dtype=object)) == (None, None)
    assert vote_category(None) == (None, None)


def test_track_extras_must_align_with_boxes():
    with pytest.raises(ValueError, match="one row per box"):
        Track(1, [1, 2], [[0, 0, 1, 1]] * 2, data={"category": np.array(["person"], dtype=object)})
    with pytest.raises(ValueError, match="category_score"):
        Track(1, [1], [[0, 0, 1, 1]], category="person", category_score=1.5)


def test_concat_extras_fills_frames_without_the_key():
    out = concat_extras([{"category": np.array(["car"], dtype=object), "category_score": np.array([0.7])},
                         None, {"category_score": np.array([0.2, 0.4])}], [1, 3, 2])
    assert out["category"].tolist() == ["car", None, None, None, None, None]
    np.testing.assert_array_equal(np.isnan(out["category_score"]), [False, True, True, True, False, False])


def test_transfer_extras_by_overlap_and_track_vote():
    # two tracks over three frames; detections labelled, one frame of track 2 missing (a filled gap)
    tracks = Detections(np.array([1, 1, 2, 2, 3, 3]), np.array([1, 2, 1, 2, 1, 2]),
                        np.array([[0, 0, 10, 20], [50, 0, 20, 10]] * 3, float))
    dets = Detections(np.array([1, 1, 2, 3, 3]), np.full(5, -1),
                      np.array([[51, 0, 20, 10], [0, 1, 10, 20], [1, 0, 10, 20], [0, 0, 10, 20], [50, 1, 20, 10]],
                               float),
                      scores=np.ones(5),
                      extras={"category": np.array(["car", "person", "person", "person", "car"], dtype=object),
                              "category_score": np.array([0.9, 0.8, 0.6, 0.7, 0.5])})
    out = transfer_extras(tracks, dets)
    assert out.extras["category"].tolist() == ["person", "car", "person", None, "person", "car"]
    by_id = {t.track_id: t for t in out.tracks()}
    assert (by_id[1].category, by_id[2].category) == ("person", "car")
    assert by_id[1].category_score == pytest.approx((0.8 + 0.6 + 0.7) / 3)
    assert by_id[2].category_score == pytest.approx((0.9 + 0.5) / 2)
    # round trip through from_tracks keeps the per-box extras
    back = Detections.from_tracks(out.tracks())
    assert back.extras["category"][back.ids == 2].tolist() == ["car", None, "car"]


class _LabelledDetector:
    """A fake detector: one box moving right, labelled 'car' with confidence 0.9."""

    def reset(self):
        pass

    def detect(self, frame):
        x = 10.0 + 3 * frame.index
        return FrameDetections(np.array([[x, 40, 30, 20]]), np.array([0.95]),
                               extras={"category": np.array(["car"], dtype=object),
                                       "category_score": np.array([0.9])})


def test_track_video_carries_categories(tmp_path):
    cv2 = pytest.importorskip("cv2")
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(12):
        cv2.imwrite(str(folder / f"{i + 1:06d}.png"), np.zeros((120, 160, 3), np.uint8))
    run = track_video(folder, _LabelledDetector(), tracker_kwargs={"fps": 10})
    tracks = run.tracks.tracks()
    assert len(tracks) == 1
    assert tracks[0].category == "car" and tracks[0].category_score == pytest.approx(0.9)
