"""Key frames kept while tracking (issue #11, item 1): the scene's frame source keeps the frames
its encoders want as the tracking pass decodes the video, within a memory budget, so that the
default `svag ground VIDEO "a person in red ..."` decodes the video once; numbers do not depend
on what was kept."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from svag.encode.colour import ColourEncoder
from svag.video import reader as reader_mod
from svag.video.frames import FrameStore, VideoFrames

COLOUR_QUERY = "a person in red walks to the left"


@pytest.fixture(scope="module")
def long_video(tmp_path_factory) -> Path:
    """A long synthetic clip (600 frames, 320x180, three actors) as an MP4 file."""
    from svag.synth import generate_benchmark
    root = tmp_path_factory.mktemp("keyframes")
    generate_benchmark(root, videos=1, frames=600, size=(320, 180), seed=4242, progress=False)
    (video,) = root.glob("SYNTH-*/*.mp4")
    return video


@pytest.fixture
def decodes(monkeypatch):
    """Every reader that passes over a video file (``_iter_file``), once per pass; ``.reads``:
    every read of chosen frames (``_seek_frames``: seeks, or decoding on to them). A reader's
    ``frames_decoded`` / ``frames_sampled`` count what its codec produced in each."""
    passes = _Passes()
    plain, seek = reader_mod.VideoReader._iter_file, reader_mod.VideoReader._seek_frames

    def counted(self, only=None):
        passes.append(self)
        return plain(self, only)

    def counted_seek(self, wanted, *, exact):
        passes.reads.append(self)
        return seek(self, wanted, exact=exact)
    monkeypatch.setattr(reader_mod.VideoReader, "_iter_file", counted)
    monkeypatch.setattr(reader_mod.VideoReader, "_seek_frames", counted_seek)
    return passes


class _Passes(list):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list = []

    def clear(self) -> None:
        super().clear()
        self.reads.clear()


def _plain_frames(video: Path, indices) -> dict[int, np.ndarray]:
    wanted = set(indices)
    return {f.index: f.image for f in reader_mod.open_video(video) if f.index in wanted}


def _grounder(cache_dir: str = "", **config):
    from svag.pipeline import GroundConfig, VideoGrounder
    return VideoGrounder(GroundConfig(cache_dir=cache_dir, **config))


def _colours(scene) -> dict:
    return scene.encode(ColourEncoder())


def test_store_keeps_only_wanted_frames_within_its_budget():
    store = FrameStore(budget_bytes=3 * 300)
    store.want(range(1, 100, 5))
    img = np.zeros((10, 10, 3), np.uint8)
    assert store.wants(1) and not store.wants(2)
    assert not store.put(2, img) and len(store) == 0          # not wanted: not kept
    for i in range(1, 30):
        if store.wants(i):
            store.put(i, img + i)
    assert store.indices() == [1, 6, 11] and store.nbytes == store.peak_bytes == 900
    assert store.refused == 3                                  # 16, 21, 26: full, not even offered
    assert store.put(16, img) is False and store.refused == 4 and len(store) == 3
    assert int(store.get(6)[0, 0, 0]) == 6                     # a copy of what was offered


def test_long_video_store_never_exceeds_its_budget_and_numbers_do_not_depend_on_it(long_video, decodes):
    """600 frames of 320x180: the key frames (every 5th: 120 frames, 20 MB) exceed a 1 MB budget;
    the store keeps what fits, never more, and the colour encoding is the same with any budget."""
    frame_bytes = 320 * 180 * 3
    small = _grounder(frame_memory_mb=1.0)
    scene = small.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    store = scene.frames.store
    assert scene.num_frames == 600
    assert store.peak_bytes <= 2**20 and store.nbytes <= 2**20
    assert len(store) == 2**20 // frame_bytes and store.refused > 0
    assert all((i - 1) % 5 == 0 for i in store.indices())      # only the colour encoder's key frames
    kept = {i: store.get(i) for i in store.indices()}
    plain = _plain_frames(long_video, kept)
    for i, img in kept.items():                                 # exact full-resolution frames
        np.testing.assert_array_equal(img, plain[i])
    partial = _colours(scene)
    none = _grounder(frame_memory_mb=0).prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    assert len(none.frames.store) == 0
    full = _grounder().prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    assert len(full.frames.store) == 120
    ref = _colours(none)
    for other in (partial, _colours(full)):
        assert other.keys() == ref.keys() and ref
        for k in ref:
            np.testing.assert_array_equal(other[k], ref[k])


def test_default_colour_query_decodes_the_video_once(long_video, decodes, tmp_path, capsys):
    """`svag ground VIDEO "a person in red ..."`: one pass over the video (tracking), each frame
    decoded once by it; the colour encoder reads the kept key frames. (The motion detector's 40
    background samples come before, through ``sample_frames``: seeks on long videos, see below;
    on this short clip decoding on is cheaper than seeking and their reader decodes it too.)"""
    from svag.cli.main import main
    out = tmp_path / "pred.json"
    assert main(["ground", str(long_video), COLOUR_QUERY, "--no-cache", "--no-progress", "--out", str(out)]) == 0
    assert len(decodes) == 1 and decodes[0].frames_decoded == 600
    decodes.clear()
    vg = _grounder()
    scene = vg.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    (result,) = vg.ground(scene, [COLOUR_QUERY])
    assert len(decodes) == 1 and decodes[0].frames_decoded == 600
    assert scene.frames.passes == 0 and scene.frames.decoded == 0       # served from memory
    assert len(scene.frames.store) == 0                                  # dropped once grounded
    assert any(k.startswith("colour-") for k in scene.encodings) and _colours(scene)
    assert not any("colour words" in n for n in result.notes)
    # a query without colours keeps nothing
    assert len(vg.prepare(long_video, progress=False, texts=["a person walks to the left"]).frames.store) == 0


def test_cached_second_run_decodes_only_what_encoders_need(long_video, decodes, tmp_path):
    cache = str(tmp_path / "cache")
    first = _grounder(cache)
    scene = first.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    (first_res,) = first.ground(scene, [COLOUR_QUERY])
    ref = _colours(scene)
    decodes.clear()
    again = _grounder(cache)                                   # tracks and colours from the cache
    cached = again.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    (res,) = again.ground(cached, [COLOUR_QUERY])
    assert decodes == [] and len(cached.frames.store) == 0
    assert [g.track.track_id for g in res.groundings] == [g.track.track_id for g in first_res.groundings]
    assert _colours(cached).keys() == ref.keys()
    for enc in (Path(cache).glob("*/encodings/colour-*.json")):
        enc.unlink()                                           # tracks cached, colours not
    third = _grounder(cache)
    cached = third.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    got = _colours(cached)
    wanted = {int(f) for t in cached.tracks for f in t.frames if (f - 1) % 5 == 0}
    assert len(decodes) == 0 and len(decodes.reads) == 1 and cached.frames.passes == 1
    assert cached.frames.decoded == len(wanted)                # only the encoder's frames converted
    assert decodes.reads[0].frames_sampled <= max(wanted) + 1  # decoding stops after the last one
    # the reference, by hand: each track's boxes on the key frames, from a plain decode
    from svag.ground.appearance import crop_descriptor, normalise
    plain = _plain_frames(long_video, wanted)
    assert got.keys() == ref.keys() == {t.track_id for t in cached.tracks}
    for t in cached.tracks:
        on = [(f, b) for f, b in zip(t.frames.tolist(), t.boxes) if (f - 1) % 5 == 0]
        expected = normalise(sum(crop_descriptor(plain[f], b) for f, b in on))
        np.testing.assert_array_equal(got[t.track_id], expected)


def test_read_merges_kept_and_decoded_frames(long_video, decodes):
    frames = VideoFrames(long_video, FrameStore())
    frames.store.want([3, 40])
    plain = _plain_frames(long_video, [2, 3, 40, 41, 600, 601])
    for i in (3, 40):
        frames.store.put(i, plain[i])
    decodes.clear()
    got = list(frames.read([601, 41, 3, 2, 40, 600, 3]))
    assert [i for i, _ in got] == [2, 3, 40, 41, 600]           # 601 is past the end
    for i, img in got:
        np.testing.assert_array_equal(img, plain[i])
    assert frames.decoded == 3 and frames.passes == 1 and len(decodes) == 0 and len(decodes.reads) == 1
    assert frames.in_memory([1, 3, 40, 41]) == [3, 40]
    decodes.clear()
    assert [i for i, _ in frames.read([40, 3])] == [3, 40] and decodes == [] and decodes.reads == []


def test_key_frames_are_kept_at_full_resolution_with_stride_and_resize(long_video, decodes):
    """Detection on every 4th frame at half size: the key frames (every 5th, most of them off the
    stride) are still kept, exact and full size, in the same single pass."""
    vg = _grounder(stride=4, resize=0.5)
    scene = vg.prepare(long_video, progress=False, texts=[COLOUR_QUERY])
    assert len(decodes) == 1 and decodes[0].frames_decoded == 600
    assert scene.frames.store.indices() == list(range(1, 601, 5))
    plain = _plain_frames(long_video, [6, 11])
    for i in (6, 11):
        np.testing.assert_array_equal(scene.frames.store.get(i), plain[i])
    assert _colours(scene) is not None and scene.frames.passes == 0


def test_frame_folder_keeps_key_frames(tmp_path):
    import cv2
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(12):
        cv2.imwrite(str(folder / f"{i:04d}.png"), np.full((16, 24, 3), 10 * (i + 1), np.uint8))
    vg = _grounder(fps=10.0)
    scene = vg.prepare(folder, progress=False, texts=[COLOUR_QUERY])
    assert scene.frames.store.indices() == [1, 6, 11]
    assert [int(img[0, 0, 0]) for _, img in scene.frames.read([6, 7])] == [60, 70]
    assert scene.frames.decoded == 1


def test_frame_memory_option(long_video, tmp_path, capsys):
    from svag.cli.main import main
    with pytest.raises(SystemExit) as exc:                     # an argparse usage error, one line
        main(["ground", str(long_video), COLOUR_QUERY, "--frame-memory", "-1", "--no-cache"])
    assert exc.value.code == 2 and "--frame-memory: expected a number >= 0" in capsys.readouterr().err
    out, render = tmp_path / "p.json", tmp_path / "r.mp4"
    assert main(["ground", str(long_video), COLOUR_QUERY, "--frame-memory", "0", "--no-cache", "--no-progress",
                 "--out", str(out), "--render", str(render)]) == 0
    assert render.stat().st_size > 0 and out.is_file()
    assert reader_mod.open_video(render).info.num_frames == 600


def test_colour_encoder_reads_key_frames_and_the_first_box_of_tracks_between_them(tmp_path):
    """Each track is sampled on the key frames 1, 6, 11, ...; one too short to have a box on any
    is read at its first box, so every track gets a descriptor."""
    import cv2

    from svag.core.scene import Scene
    from svag.core.types import Track
    from svag.ground.appearance import crop_descriptor, normalise
    folder = tmp_path / "frames"
    folder.mkdir()
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (40, 60, 3), dtype=np.uint8) for _ in range(12)]
    for i, img in enumerate(images):
        cv2.imwrite(str(folder / f"{i:04d}.png"), img)
    box = np.array([5.0, 5.0, 20.0, 30.0])
    long = Track(1, np.arange(1, 13), np.tile(box, (12, 1)))
    short = Track(2, np.arange(7, 10), np.tile(box + 10, (3, 1)))
    frames = VideoFrames(folder)
    scene = Scene((long, short), 60, 40, 10.0, 12, frames=frames)
    got = ColourEncoder().encode(scene)
    assert frames.decoded == 4                                 # 1, 6, 11 and the short track's 7
    np.testing.assert_array_equal(got[1], normalise(sum(crop_descriptor(images[f - 1], box) for f in (1, 6, 11))))
    np.testing.assert_array_equal(got[2], normalise(crop_descriptor(images[6], box + 10)))
    assert list(ColourEncoder().frames_wanted(12)) == [1, 6, 11]


def test_grounders_name_the_encoders_a_text_will_run():
    """Asked before tracking: the colour encoder only for texts the kinematic grounder scores that
    name a colour; a verified grounder (hybrid) asks its stages."""
    from svag.ground import build_grounder
    from svag.run.pipeline import encoders_for
    names = lambda g, texts: [e.name for e in encoders_for(g, texts)]       # noqa: E731
    kin = build_grounder("kinematic")
    assert names(kin, [COLOUR_QUERY]) == ["kinematic", "colour"]
    assert names(kin, ["a person walks to the left", "a red"]) == ["kinematic"]   # "a red": nothing scored
    assert names(build_grounder("hybrid"), ["a man in a blue coat runs"]) == ["kinematic", "colour", "learned-steps"]
    assert names(build_grounder("largest-tracks"), [COLOUR_QUERY]) == ["box-size"]


def test_long_videos_are_read_by_seeking_exact_frames(tmp_path):
    """The motion detector's background is the median of 40 frames sampled over the video; on a
    long video with short key-frame intervals they are read by seeking, not by a second pass over
    the video, and they are the very frames an exact read gives."""
    av = pytest.importorskip("av")
    path = tmp_path / "long.mp4"
    out = av.open(str(path), "w")
    stream = out.add_stream("libx264", rate=25)
    stream.width, stream.height, stream.pix_fmt, stream.gop_size = 160, 96, "yuv420p", 25
    for i in range(3000):
        img = np.full((96, 160, 3), (i * 7) % 255, np.uint8)
        img[:, i % 160] = 255
        for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    indices = np.unique(np.linspace(1, 3000, 40).round().astype(int)).tolist()
    exact, sampled = reader_mod.open_video(path), reader_mod.open_video(path)
    want = {f.index: f.image for f in exact._iter_file(only=indices)}     # a plain pass
    got = {f.index: f.image for f in sampled.sample_frames(indices)}
    assert list(got) == indices and all(np.array_equal(got[i], want[i]) for i in indices)
    assert exact.frames_decoded == 3000 and sampled.frames_sampled <= 40 * 25 // 2 + 40   # measured 206
    # frame-exact reads seek too: any frames, the very frames of a plain pass, past the end dropped
    rng = np.random.default_rng(0)
    picks = sorted(rng.choice(np.arange(1, 3001), 30, replace=False).tolist())
    plain = {f.index: f.image for f in reader_mod.open_video(path)._iter_file(only=picks)}
    reader = reader_mod.open_video(path)
    got = {f.index: f.image for f in reader.read_frames([*picks, 3001, 5000])}
    assert list(got) == picks and all(np.array_equal(got[i], plain[i]) for i in picks)
    assert reader.frames_decoded == 0 and reader.frames_sampled < 1000


def test_crop_encoder_reads_the_key_frames_tracking_kept(long_video, decodes):
    """The crops of a vision grounder come from the frames tracking kept: one pass over the video,
    every crop on a key frame (or a short track's first box), the same crops as a plain decode."""
    from svag.run.scene import SceneBuilder, SceneConfig
    from svag.vision.crops import CropEncoder, crop

    seen: list[np.ndarray] = []

    class Embedder:                                          # a stand-in image model: the crops' mean colour
        def encode_images(self, images):
            seen.extend(images)
            return np.stack([np.r_[im.reshape(-1, 3).mean(0), 1.0] for im in images]).astype(np.float32)
    enc = CropEncoder("stand-in", cache_dir="", embedder=Embedder)
    fps = 25.0
    assert list(enc.frames_wanted(30, fps=fps)) == [1, 13, 25] and list(enc.frames_wanted(30)) == []
    scene = SceneBuilder(SceneConfig(cache_dir="")).from_video(long_video, progress=False, encoders=[enc])
    assert scene.fps == fps and len(decodes) == 1                         # tracking's pass only
    got = enc.encode(scene)
    assert scene.frames.passes == 0 and len(decodes) == 1                 # crops from kept frames
    key = set(range(1, 601, 12))
    plain = _plain_frames(long_video, set(got.frames.tolist()))
    for t in scene.tracks:
        frames, emb = got.of(t.track_id)
        on = [f for f in t.frames.tolist() if f in key]             # at most 50: under max_per_track
        assert frames.tolist() == (on or [int(t.frames[0])])
        boxes = dict(zip(t.frames.tolist(), t.boxes))
        for f, e in zip(frames.tolist(), emb):
            np.testing.assert_allclose(e[:3], crop(plain[f], boxes[f], 0.1).reshape(-1, 3).mean(0), rtol=1e-5)
    assert len(seen) == len(got.frames)
