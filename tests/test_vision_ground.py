"""Track–text grounding with a model that really sees: the tiny CLIP trained in this repository
on synthetic crops (benchmarks/train_tiny_clip.py), loaded like a hub checkpoint, on synthetic
videos it has never seen; crops encoded once and cached; the default path stays vision-free."""
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

MODEL = Path(__file__).parent / "models" / "tiny-clip-synth"
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def heldout(tmp_path_factory):
    """Four synthetic videos from a seed the tiny model was not trained on."""
    from svag.synth import generate_benchmark
    root = tmp_path_factory.mktemp("heldout")
    info = generate_benchmark(root, videos=4, frames=250, size=(320, 180), seed=4242)
    return root, info.gt_path


def _oracle(root, video):
    from svag.bench import _scene_for
    from svag.data.mot_seq import find_sequence
    return _scene_for(video, root, None), find_sequence(root, video).path


def run_crops(grounder, scene):
    """Run the grounder's encoders on the scene (as the pipeline does); its crop embeddings."""
    from svag.encode import run_encoders
    run_encoders(scene, grounder.requires)
    return scene.encode(grounder.requires[0])


def _hidden_ids(root, video):
    """Oracle scenes renumber the ground-truth tracks 1..n: scene id -> ground-truth id."""
    from svag.data.mot_seq import find_sequence
    return {i + 1: t.track_id for i, t in enumerate(find_sequence(root, video).gt().tracks())}


def test_default_path_imports_no_vision_code(heldout):
    root, _ = heldout
    video = next(root.glob("*/*.mp4"))
    code = ("import sys; from svag.cli.main import main; "
            f"rc = main(['ground', {str(video)!r}, 'a red person walks to the left', '--no-cache', '--no-progress']); "
            "print('RESULT', rc, sorted(m for m in sys.modules if m == 'transformers' or m.startswith(('transformers.', "
            "'svag.vision', 'torch'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(SRC),
                                                                                             "PATH": "/usr/bin:/bin"})
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT"))
    assert line == "RESULT 0 []", out.stdout + out.stderr


def test_second_query_touches_no_pixels_and_no_image_model(heldout, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from svag.language.parser import parse_queries
    from svag.vision.grounders import ClipGrounder
    root, _ = heldout
    scene, seq = _oracle(root, "SYNTH-01")
    q1, q2 = parse_queries(["a red person walks", "a dog runs"], embedder=False)
    g1 = ClipGrounder(str(MODEL), device="cpu", cache_dir=str(tmp_path))
    s1 = scene
    enc = run_crops(g1, s1)
    assert g1.embedder_.image_calls >= 1 and len(list(tmp_path.glob("crops-*.npz"))) == 1
    assert len(enc.track_ids) == len(scene.tracks) and len(enc.frames) == enc.starts[-1] == len(enc.embeddings)
    for i, t in enumerate(scene.tracks):                 # crops inside each track's life, ~2 per second
        f = enc.frames[enc.starts[i]:enc.starts[i + 1]]
        assert np.all(np.isin(f, t.frames)) and np.all(np.diff(f) > 0)
        assert abs(len(f) - len(t) / scene.fps * 2) <= 1.5
    first = g1.ground(s1, q1)

    import svag.video.frames as frames
    import svag.video.reader as reader

    def no_pixels(*a, **k):
        raise AssertionError("a cached video was decoded again")
    monkeypatch.setattr(reader, "open_video", no_pixels)
    monkeypatch.setattr(frames, "open_video", no_pixels)
    g2 = ClipGrounder(str(MODEL), device="cpu", cache_dir=str(tmp_path))
    s2, _ = _oracle(root, "SYNTH-01")                  # a new scene object: nothing in memory
    run_crops(g2, s2)
    model = g2.embedder().model_

    def no_image_model(*a, **k):
        raise AssertionError("the image model ran for a cached video")
    monkeypatch.setattr(model, "get_image_features", no_image_model)
    g2.ground(s2, q2)
    again = g2.ground(s2, q1)
    assert g2.embedder_.image_calls == 0
    assert [g.track.track_id for g in again.groundings] == [g.track.track_id for g in first.groundings]
    np.testing.assert_allclose([g.score for g in again.groundings], [g.score for g in first.groundings], atol=1e-6)


def test_detected_category_is_respected(heldout, tmp_path):
    pytest.importorskip("torch")
    from svag.language.parser import parse_queries
    from svag.vision.grounders import ClipGrounder, FusionGrounder
    root, _ = heldout
    scene, seq = _oracle(root, "SYNTH-01")
    people = replace(scene, tracks=tuple(replace(t, category="person", category_score=0.9) for t in scene.tracks))
    (dog,) = parse_queries(["a dog runs to the left"], embedder=False)
    for cls in (ClipGrounder, FusionGrounder):
        g = cls(str(MODEL), device="cpu", cache_dir=str(tmp_path), threshold=0.0)
        run_crops(g, people)
        assert g.ground(people, dog).groundings == []


def test_fusion_grounds_what_boxes_cannot_show_by_vision_only(heldout, tmp_path):
    """Issue #12: a query the kinematic grounder cannot read (a gesture, clothing) is answered by
    vision when vision is on; a query with nothing recognisable is answered by nothing, with a note."""
    pytest.importorskip("torch")
    from svag.ground.kinematic import KinematicGrounder
    from svag.vision.grounders import FusionGrounder
    root, _ = heldout
    scene, _ = _oracle(root, "SYNTH-01")
    g = FusionGrounder(str(MODEL), device="cpu", cache_dir=str(tmp_path))
    run_crops(g, scene)
    wave = "a person in a red hat waves"
    assert KinematicGrounder().ground(scene, wave).groundings == []
    got = g.ground(scene, wave)
    assert got.groundings and "no motion predicate understood: grounded by appearance only" in got.notes
    nothing = g.ground(scene, "a person")
    assert nothing.groundings == [] and any("appearance_only=True" in n for n in nothing.notes)
    assert FusionGrounder(str(MODEL), device="cpu", cache_dir=str(tmp_path), appearance_only=True
                          ).ground(scene, "a person").groundings


def _colour_queries(gt_path):
    """The ground truth restricted to queries naming a colour (actors picked by appearance)."""
    from svag.core.types import Dataset, SvagData
    from svag.io.svag_json import read_svag
    from svag.language.lexicon import COLOURS
    gt = read_svag(gt_path, "gt")
    return SvagData(tuple(Dataset(d.name, tuple(q for q in d.queries if set(q.text.lower().split()) & COLOURS
                                                  and q.tracks)) for d in gt.datasets))


def _appearance(root, video):
    """Ground-truth id -> (kind, colour) of the synthetic video's actors."""
    scripts = json.loads((root / "scripts.json").read_text())
    actors = next(s for s in scripts if s["name"] == video)["actors"]
    return {a["track_id"]: (a["kind"], a["color"]) for a in actors}


def appearance_hits(root, gt, pred, scenes):
    """Per colour query: whether the best track returned looks like (kind and colour) one of the
    query's tracks, and the chance of that for a track drawn at random."""
    hits, chance = [], []
    by_id = {q.query_id: q for d in pred for q in d.queries}
    for q in (q for d in gt for q in d.queries):
        ids, look = _hidden_ids(root, q.video_name), _appearance(root, q.video_name)
        wanted = {look[t.track_id] for t in q.tracks}
        got = [ids[t.track_id] for t in by_id[q.query_id].tracks]
        hits.append(bool(got) and look[got[0]] in wanted)
        chance.append(np.mean([look[ids[t.track_id]] in wanted for t in scenes[q.video_name].tracks]))
    return float(np.mean(hits)), float(np.mean(chance))


def test_trained_tiny_clip_picks_actors_by_colour_and_category(heldout, tmp_path):
    pytest.importorskip("torch")
    from svag.bench import ground_dataset
    from svag.vision.grounders import ClipGrounder
    root, gt_path = heldout
    gt = _colour_queries(gt_path)
    assert sum(len(d.queries) for d in gt) >= 6
    scenes = {v: _oracle(root, v)[0] for v in {q.video_name for d in gt for q in d.queries}}
    g = ClipGrounder(str(MODEL), device="cpu", cache_dir=str(tmp_path))
    pred, _ = ground_dataset(gt, scenes, g)
    hit, chance = appearance_hits(root, gt, pred, scenes)
    assert hit >= 0.65 and hit > 1.8 * chance, (hit, chance)         # measured: 0.75, chance 0.36


def _track_sets(root, pred):
    """(video, query id) -> the ground-truth ids of the tracks a prediction returned."""
    return {(q.video_name, q.query_id): {_hidden_ids(root, q.video_name)[t.track_id] for t in q.tracks}
            for d in pred for q in d.queries}


def test_fusion_beats_kinematic_and_all_tracks_on_unseen_videos(heldout, tmp_path):
    """Issue #12's acceptance check. Oracle tracks without a category (as from the motion
    detector), so the actor's kind is something only vision (or the kinematic grounder's
    aspect-ratio prior) can check; the kinematic grounder reads colour words from pixels itself.
    On the queries naming a colour and on those naming only a kind, ``fusion`` must beat
    ``kinematic`` and ``all-tracks`` under both protocols, and it must do so the way it is
    designed to: it returns a subset of the kinematic grounder's tracks, loses none of the true
    ones, and each query it changes loses false tracks. Measured (docs/vision.md): colour 51.36 /
    42.93 vs kinematic 51.12 / 42.69, category 50.56 / 43.25 vs 50.34 / 43.03 (official /
    strict m-HIoU); a perfect appearance oracle in fusion's place reaches the same numbers on
    these videos, i.e. fusion removes every wrong-looking track the kinematic grounder keeps."""
    pytest.importorskip("torch")
    from svag.bench import ground_dataset, score
    from svag.ground import build_grounder
    from svag.io.svag_json import read_svag
    from svag.synth.subsets import subject_subsets
    root, gt_path = heldout
    gt = read_svag(gt_path, "gt")
    subsets = subject_subsets(root, gt)
    scenes = {v: _oracle(root, v)[0] for v in sorted({q.video_name for d in gt for q in d.queries})}
    assert all(t.category is None for s in scenes.values() for t in s.tracks)
    blind = {v: replace(s, frames=None) for v, s in scenes.items()}       # no pixels: no colour check
    preds = {}
    for label, name, kw, on in (("all-tracks", "all-tracks", {}, scenes), ("motion-only", "kinematic", {}, blind),
                                ("kinematic", "kinematic", {}, scenes),
                                ("fusion", "fusion", {"model": str(MODEL), "device": "cpu",
                                                      "cache_dir": str(tmp_path)}, scenes)):
        preds[label], _ = ground_dataset(gt, on, build_grounder(name, **kw))   # every query: the contrast set
    kin, fus = _track_sets(root, preds["kinematic"]), _track_sets(root, preds["fusion"])
    for subset, sub in subsets.items():
        assert sum(len(d.queries) for d in sub) >= 25, subset
        results = {label: {p: s["all"]["m-HIoU"] for p, s in score(sub, pred).items()} for label, pred in preds.items()}
        print(subset, results)
        for protocol in ("svag", "svag-strict"):
            assert results["fusion"][protocol] > results["kinematic"][protocol], (subset, results)
            assert results["fusion"][protocol] > results["all-tracks"][protocol] + 15, (subset, results)
            if subset == "colour":
                assert results["kinematic"][protocol] > results["motion-only"][protocol] + 2, results
        changed = 0
        for q in (q for d in sub for q in d.queries):
            key, true = (q.video_name, q.query_id), {t.track_id for t in q.tracks}
            assert fus[key] <= kin[key], (q.text, kin[key], fus[key])            # vision adds no track
            assert kin[key] & true <= fus[key], (q.text, kin[key], fus[key], true)  # and loses no true one
            if fus[key] != kin[key]:
                changed += 1
                assert len(fus[key] - true) < len(kin[key] - true), (q.text, kin[key], fus[key], true)
        assert changed >= 1, subset                    # measured: 1 colour and 3 category queries changed


def test_cli_end_to_end_with_open_vocabulary_detector(heldout, tmp_path):
    pytest.importorskip("torch")
    from svag.cli.main import main
    from svag.vision.tiny import build_tiny
    root, _ = heldout
    owl = build_tiny("owlv2", tmp_path / "owl")
    video = root / "SYNTH-01" / "SYNTH-01.mp4"
    out, render = tmp_path / "pred.json", tmp_path / "out.mp4"
    rc = main(["ground", str(video), "a red person walks to the right", "a dog runs", "--detector", "owlv2",
               "--grounder", "fusion", "--model", str(owl), "--model", str(MODEL), "--device", "cpu", "--stride", "5",
               "-D", "threshold=0.5", "-O", f"cache_dir={tmp_path / 'enc'}", "--no-cache", "--no-progress",
               "--out", str(out), "--render", str(render)])
    assert rc == 0 and render.stat().st_size > 0
    from svag.io.svag_json import read_svag
    assert [q.text for d in read_svag(out, "pred") for q in d.queries] == ["a red person walks to the right",
                                                                         "a dog runs"]
