"""Camera motion from tracks: recovered on a synthetic forward-moving camera, absent on static
cameras (synthetic and the real MOT17 static videos), found on the real moving-camera videos, and
taken out of the kinematic features so that standing people stand."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from svag.core.types import Track
from svag.ground.base import Scene
from svag.ground.camera import estimate_camera_motion
from svag.ground.features import track_features
from svag.ground.kinematic import KinematicGrounder
from svag.language.types import ActionQuery, Predicate

W, H, FPS, N = 1280, 720, 25.0, 200
ZOOM, TX, TY = 0.004, 1.5, -0.5        # per frame: 0.1/s zoom, drifting right and up


def moving_camera_tracks(walker_speed: float = 0.0) -> list[Track]:
    """Standing people seen by a camera whose image, from one frame to the next, zooms by ZOOM about
    the image centre and shifts by (TX, TY); the last person walks right at ``walker_speed`` px per
    frame of its own."""
    rng = np.random.default_rng(0)
    tracks = []
    frames = np.arange(1, N + 1)
    for i in range(8):
        cx, cy, h = rng.uniform(300, 980), rng.uniform(250, 470), rng.uniform(80, 140)
        boxes = []
        for _ in frames:
            boxes.append([cx - 0.2 * h, cy - h / 2, 0.4 * h, h])
            k = np.exp(ZOOM)
            own = walker_speed * h / 100 if i == 7 else 0.0
            cx, cy, h = W / 2 + (cx - W / 2) * k + TX + own, H / 2 + (cy - H / 2) * k + TY, h * k
        b = np.asarray(boxes) + rng.normal(0, 0.5, (N, 4))
        tracks.append(Track(i + 1, frames, b))
    return tracks


def test_forward_camera_is_recovered():
    cam = estimate_camera_motion(moving_camera_tracks(), W, H, N, FPS)
    assert cam is not None
    mid = slice(20, N - 20)
    assert np.median(cam.zoom[mid]) == pytest.approx(ZOOM, rel=0.1)
    # the translation is measured about the image centre, where the zoom adds nothing
    assert np.median(cam.tx[mid]) == pytest.approx(TX, abs=0.3)
    assert np.median(cam.ty[mid]) == pytest.approx(TY, abs=0.3)


def test_compensated_features_make_standing_people_stand():
    tracks = moving_camera_tracks(walker_speed=4.0)
    cam = estimate_camera_motion(tracks, W, H, N, FPS)
    raw = [track_features(t, W, H, FPS) for t in tracks]
    comp = [track_features(t, W, H, FPS, camera=cam) for t in tracks]
    mid = slice(20, N - 20)
    for f_raw, f in zip(raw[:7], comp[:7]):          # standing: image motion, no own motion
        assert np.median(f_raw.speed[mid]) > 0.1 and np.median(f_raw.growth[mid]) > 0.05
        assert np.median(f.speed[mid]) < 0.05 and abs(np.median(f.growth[mid])) < 0.02
    assert np.median(comp[7].vx[mid]) > 0.2           # the walker still walks right
    scene = Scene(tuple(tracks), W, H, FPS, N)
    still = ActionQuery("a person stands still", steps=((Predicate("stand_still"),),))
    def still_for(grounder: KinematicGrounder) -> set[int]:
        """Tracks whose best window covers most of their life."""
        return {g.track.track_id for g in grounder.ground(scene, still).groundings
                if g.windows[0, 1] - g.windows[0, 0] + 1 >= 0.8 * N}
    assert still_for(KinematicGrounder()) == set(range(1, 8))
    assert len(still_for(KinematicGrounder(camera_motion=False))) <= 3   # the camera makes most of them move


def test_static_camera_gives_none():
    """Walkers towards and away from a static camera, and a crowd walking one way: no camera motion."""
    frames = np.arange(1, N + 1)
    tracks = []
    for i in range(8):
        g = 0.004 if i % 2 else -0.004                   # half come closer, half go away
        h = 100 * np.exp(g * (frames - 1))
        x = 100 + 120 * i + 2.0 * (frames - 1)          # everyone drifts right
        tracks.append(Track(i + 1, frames, np.column_stack([x, 300 - h / 2, 0.4 * h, h])))
    assert estimate_camera_motion(tracks, W, H, N, FPS) is None


@pytest.mark.parametrize("video,moving", [("MOT17-02", False), ("MOT17-04", False), ("MOT17-09", False),
                                          ("MOT17-05", True), ("MOT17-10", True), ("MOT17-11", True),
                                          ("MOT17-13", True)])
def test_real_cameras(shared_data: Path, video: str, moving: bool):
    from svag.run.bench import mot_scene as _scene_for
    scene = _scene_for(video, shared_data / "mot",
                       shared_data / "trackers" / "20221127_result_auginput17dim_finethresh_wodist_onefut")
    cam = estimate_camera_motion(scene.tracks, scene.width, scene.height, scene.num_frames, scene.fps)
    assert (cam is not None) == moving
