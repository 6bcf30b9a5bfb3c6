"""`svag synth`: scripted scenes, exact boxes (every gt box is where the renderer drew the actor),
windows from scripts, queries, files (MP4 playable by FFmpeg/PyAV, MOT layout, SVAG JSON)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from svag.cli.main import main
from svag.data import catalog, perfect_prediction
from svag.errors import InputError
from svag.io.mot import read_mot_det, read_mot_gt, read_seqinfo
from svag.io.svag_json import read_svag, svag_to_obj
from svag.synth import ActorSpec, Occluder, Step, benchmark_video, generate_benchmark, generate_clip
from svag.synth.queries import PredicateFrames, runs

W, H = 240, 144


def scripted_clip(frames: int = 120):
    """Three scripted actors and a pillar: one of each kind of step the simulation knows."""
    actors = [
        ActorSpec("person", "red", x=0.15, z=0.7, facing="right",
                  script=(Step("move", 20, "right"), Step("stand", 15), Step("move", 15, "left", "run"))),
        ActorSpec("car", "blue", z=0.4, enter="left", start=5,
                  script=(Step("move", 200, "right"), )),
        ActorSpec("dog", "brown", x=0.55, z=0.9, facing="left",
                  script=(Step("stand", 10), Step("approach", 60, target=0, gait="run"),
                          Step("leave", 200, "left", "run"))),
    ]
    return generate_clip(frames, (W, H), seed=3, actors=actors,
                         occluders=[Occluder("pillar", 110, 124, 20)], n_queries=40)


@pytest.fixture(scope="module")
def clip():
    return scripted_clip()


def test_segments_follow_the_script(clip):
    p, car, dog = (m.segments for m in clip.motions)
    assert [(s.action, s.start, s.end, s.direction) for s in p] == [
        ("move", 1, 20, "right"), ("stand", 21, 35, None), ("turn", 36, 45, None),   # turn inserted
        ("move", 46, 60, "left"), ("stand", 61, 120, None)]
    assert p[3].gait == "run"
    assert car[0].start == 5 and car[0].action == "move"
    assert not clip.motions[1].present[3] and clip.motions[1].present[4]
    assert [s.action for s in dog] == ["stand", "approach", "leave"]
    assert not clip.motions[2].present[-1]                      # the dog left for good


def test_every_box_is_where_the_actor_was_drawn(clip):
    r = clip.renderer()
    n, F = clip.boxes.shape[:2]
    checked = hidden = 0
    for f in range(1, F + 1):
        res = r.render(f)
        for i in range(n):
            alone = r.actor_mask(i, f)                            # the actor alone on a blank frame
            if not alone.any():
                assert np.isnan(clip.boxes[i, f - 1, 0])
                continue
            ys, xs = np.nonzero(alone)
            x, y, w, h = clip.boxes[i, f - 1]
            assert (x, y, w, h) == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
            visible = res.label == i
            assert not (visible & ~alone).any()                   # composite pixels of i: inside its mask
            assert np.isclose(clip.visibility[i, f - 1], visible.sum() / alone.sum())
            checked += 1
            hidden += clip.visibility[i, f - 1] < 1
    assert checked > 150 and hidden > 5


def test_visible_pixels_show_the_actor(clip):
    r = clip.renderer()
    for f in (1, 30, 50):
        res = r.render(f)
        for i in range(len(clip.motions)):
            layer = r.actor_layer(i, f)
            if layer is None:
                continue
            patch, m, x0, y0 = layer
            h, w = m.shape
            vis = res.label[y0:y0 + h, x0:x0 + w] == i
            assert np.array_equal(res.image[y0:y0 + h, x0:x0 + w][vis], patch[vis])


def test_windows_of_predicates(clip):
    pf = PredicateFrames(clip.scene, clip.motions, clip.boxes, clip.hidden)
    assert pf.windows("gait:walk:right", 0) == [(1, 20)]
    assert pf.windows("gait:run:left", 0) == [(46, 60)]
    assert pf.windows("stand", 0) == [(21, 35), (61, 120)]
    assert pf.windows("stop", 0) == [(21, 35), (61, 120)]
    assert pf.windows("start", 0) == [(46, 60)]            # the first second (25 frames) of the run
    assert pf.windows("turn", 0) == [(36, 45)]
    enter = pf.windows("enter:left", 1)
    assert enter[0][0] == int(np.flatnonzero(~np.isnan(clip.boxes[1, :, 0]))[0]) + 1
    assert all(clip.boxes[1, f - 1, 0] == 0 for s, e in enter for f in range(s, e + 1))
    dog = clip.motions[2].segments
    assert pf.windows("approach:0", 2) == [(dog[1].start, dog[1].end)] and dog[1].end < 70
    last = int(np.flatnonzero(~np.isnan(clip.boxes[2, :, 0]))[-1]) + 1
    assert pf.windows("leave:left", 2)[-1][1] == last < dog[2].end
    behind = pf.frames("behind:0", 1)
    assert behind.any() and np.all(clip.hidden[1, behind, 0])


def test_queries_match_their_predicates(clip):
    pf = PredicateFrames(clip.scene, clip.motions, clip.boxes, clip.hidden)
    assert len({q.text for q in clip.queries}) == len(clip.queries)
    for q in clip.queries:
        assert q.tracks == pf.match(q.predicate, q.subject), q.text
        for i, wins in q.tracks:
            for s, e in wins:
                assert not np.isnan(clip.boxes[i, s - 1:e, 0]).any()
    assert any(not q.tracks for q in clip.queries)
    texts = {q.text for q in clip.queries}
    assert any("red" in t for t in texts) and any(t.startswith("The blue") or "blue" in t for t in texts)


def test_svag_queries_hold_boxes_inside_windows(clip):
    for q in clip.svag_queries():
        for t in q.tracks:
            inside = np.zeros(q.video_length + 1, bool)
            for s, e, _ in t.windows:
                inside[int(s):int(e) + 1] = True
            assert inside[t.frames].all()
            assert np.array_equal(t.boxes, clip.boxes[t.track_id - 1, t.frames - 1])


@pytest.mark.parametrize("mask, expected", [
    ([], []), ([0, 0], []), ([1], [(1, 1)]), ([1, 1, 0, 1], [(1, 2), (4, 4)]), ([0, 1, 1, 1, 0], [(2, 4)]),
])
def test_runs_are_1_based_inclusive(mask, expected):
    assert runs(np.array(mask, bool)) == expected


def test_random_clips_are_deterministic():
    a, b, c = generate_clip(seed=5), generate_clip(seed=5), generate_clip(seed=6)
    assert np.array_equal(a.boxes, b.boxes, equal_nan=True)
    assert [q.text for q in a.queries] == [q.text for q in b.queries]
    assert a.boxes.shape != c.boxes.shape or not np.array_equal(a.boxes, c.boxes, equal_nan=True)
    assert a.scene.frames == 20 and (a.scene.width, a.scene.height) == (160, 96)


def test_invalid_specs():
    with pytest.raises(ValueError, match="can be"):
        ActorSpec("car", "purple")
    with pytest.raises(ValueError, match="needs a direction"):
        Step("move", 5)
    with pytest.raises(ValueError, match="moves only left or right"):
        generate_clip(actors=[ActorSpec("car", "red", script=(Step("move", 5, "towards"),))])


# ---------------------------------------------------------------- files -----------------------------

@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "b"
    info = generate_benchmark(out, videos=2, frames=40, size=(192, 112), seed=7)
    return out, info


def test_benchmark_layout_and_gt(bench):
    out, info = bench
    gt = read_svag(out / "gt.json")
    queries = gt.datasets[0].queries
    assert gt.names() == ["SYNTH"] and len(queries) == info.queries >= 10
    assert [q.query_id for q in queries] == list(range(1, len(queries) + 1))
    assert {q.video_name: q.video_id for q in queries} == {"SYNTH-01": 1, "SYNTH-02": 2}
    for name in ("SYNTH-01", "SYNTH-02"):
        seq = out / name
        si = read_seqinfo(seq)
        assert (si.length, si.width, si.height, si.frame_rate) == (40, 192, 112, 25.0)
        mot = read_mot_gt(seq / "gt" / "gt.txt")
        rows = {(int(f), int(i)): b for f, i, b in zip(mot.frames, mot.ids, mot.boxes)}
        assert set(np.unique(mot.classes)) <= {1, 3, 14} and mot.visibility.max() <= 1
        for q in queries:
            if q.video_name == name:
                for t in q.tracks:
                    for f, b in zip(t.frames, t.boxes):
                        assert np.array_equal(rows[(int(f), t.track_id)], b)
        det = read_mot_det(seq / "det" / "det.txt")
        assert len(det) > 0 and det.scores.min() > 0
    scripts = json.loads((out / "scripts.json").read_text())
    assert [q["query_id"] for s in scripts for q in s["queries"]] == [q.query_id for q in queries]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["sequences"] == ["SYNTH-01", "SYNTH-02"]


def test_video_plays_and_shows_the_gt(bench):
    av = pytest.importorskip("av")
    out, _ = bench
    rendered = []
    video, _ = benchmark_video(1, 7, 40, (192, 112), name="SYNTH-02", sink=rendered.append)
    with av.open(str(out / "SYNTH-02" / "SYNTH-02.mp4")) as c:
        stream = c.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (192, 112)
        decoded = [f.to_ndarray(format="bgr24") for f in c.decode(stream)]
    assert len(decoded) == len(rendered) == 40
    for a, b in zip(decoded, rendered):
        mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) > 28          # PSNR: the same picture
    gt = read_svag(out / "gt.json")
    q = next(q for q in gt.datasets[0] if q.video_name == "SYNTH-02" and q.tracks)
    assert np.array_equal(q.tracks[0].boxes, video.boxes[q.tracks[0].track_id - 1, q.tracks[0].frames - 1])


def test_same_seed_same_benchmark(bench, tmp_path):
    out, _ = bench
    generate_benchmark(tmp_path / "again", videos=1, frames=40, size=(192, 112), seed=7, write_video=False)
    a, b = read_svag(out / "gt.json"), read_svag(tmp_path / "again" / "gt.json")
    first = [q for q in a.datasets[0] if q.video_name == "SYNTH-01"]
    assert svag_to_obj(b, "gt")["datasets"][0]["queries"] == svag_to_obj(
        type(a)((type(a.datasets[0])("SYNTH", tuple(first)),)), "gt")["datasets"][0]["queries"]
    for rel in ("gt/gt.txt", "det/det.txt"):
        assert (out / "SYNTH-01" / rel).read_text() == (tmp_path / "again" / "SYNTH-01" / rel).read_text()


def test_catalog_lists_the_benchmark(bench):
    out, info = bench
    entries = {e.name: e for e in catalog(out)}
    assert entries["gt.json"].queries == info.queries and entries["gt.json"].frames == 80
    assert "video SYNTH-01.mp4" in entries["SYNTH-01"].note


def test_perfect_prediction_scores_hota_100(bench):
    from svag.eval.svag_protocol import evaluate_svag
    out, _ = bench
    gt = read_svag(out / "gt.json")
    res = evaluate_svag(gt, perfect_prediction(gt), protocol="svag-strict")
    assert res.datasets["SYNTH"]["HOTA"] == pytest.approx(100.0)


def test_cli_synth(tmp_path, capsys):
    out = tmp_path / "s"
    args = ["synth", "--out", str(out), "--videos", "1", "--frames", "20", "--size", "160x96", "--seed", "2"]
    assert main(args) == 0
    assert capsys.readouterr().out.strip().endswith("gt.json")
    assert (out / "SYNTH-01" / "SYNTH-01.mp4").is_file()
    assert main(args) == 2 and "not empty" in capsys.readouterr().err
    assert main(args + ["--force", "--no-video"]) == 0
    assert not (out / "SYNTH-01" / "SYNTH-01.mp4").exists()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(InputError, match="not made by svag synth"):
        generate_benchmark(tmp_path / "other", videos=1, frames=5, size=(64, 64), overwrite=True)
    assert main(["synth", "--out", str(tmp_path / "o"), "--size", "161x96"]) == 2


def test_full_size_benchmark_is_fast_and_complete(tmp_path):
    """Issue #3's target: 10 videos x 300 frames at 640x360, >= 100 queries, in under a minute."""
    av = pytest.importorskip("av")
    from svag.eval.svag_protocol import evaluate_svag
    info = generate_benchmark(tmp_path / "b", videos=10, frames=300, size=(640, 360), seed=0)
    assert info.seconds < 60 and info.queries >= 100 and info.empty_queries >= 10
    gt = read_svag(info.gt_path)
    assert sum(len(q.tracks) > 1 for q in gt.datasets[0]) >= 10        # queries matching several actors
    for mp4 in info.videos:
        with av.open(str(mp4)) as c:
            assert c.streams.video[0].frames == 300
    res = evaluate_svag(gt, perfect_prediction(gt), protocol="svag-strict")
    assert res.mean["HOTA"] == pytest.approx(100.0)


def test_long_videos_keep_their_actors_acting():
    """Issue #13: `svag synth --frames 12000` ended every script near frame 2,670 (actors left one
    by one); actors now act for the whole requested length, and short clips are unchanged."""
    from svag.synth.planner import RandomPlanner, random_scene
    from svag.synth.scene import simulate
    for seed in range(3):
        rng = np.random.default_rng(seed)
        motions = simulate(random_scene(rng, "x", 640, 360, 6000), RandomPlanner(rng))
        last = max(max((s.end for s in m.segments), default=0) for m in motions)
        present = np.array([m.present for m in motions]).any(axis=0)
        # someone is in the scene until the last 12 s, when leaving becomes an ordinary event
        assert last >= 6000 - 12 * 25 and present[1000:6000 - 12 * 25].all(), (seed, last)
