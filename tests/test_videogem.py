"""VideoGEM / GEM heatmaps (svag.vision.gem), the heatmap file format, the pointing game and the
videogem grounder. The heatmap math is checked against numbers produced by the upstream GEM and
VideoGEM code (tests/fixtures/videogem, see its README) and against a literal NumPy re-derivation."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.eval.pointing import annotated_boxes, evaluate_pointing, pointing_hits
from svag.ground.base import Scene
from svag.io.heatmaps import Heatmaps, heatmap_path, read_heatmaps, write_heatmaps
from svag.io.svag_json import read_svag
from svag.language.types import ActionQuery
from scripts import load_script

FIX = Path(__file__).parent / "fixtures" / "videogem"
ROOT = Path(__file__).resolve().parents[1]


def _tiny():
    return load_script(FIX / "tiny_clip.py")


@pytest.fixture(scope="module")
def tiny():
    pytest.importorskip("transformers")
    return _tiny()


@pytest.fixture(scope="module")
def model(tiny):
    return tiny.build(seed=0)


@pytest.fixture(scope="module")
def ref():
    return np.load(FIX / "reference.npz")


# ---- GEM math ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, kwargs", [("gem", dict(layers=6, weighting="gem")),
                                          ("videogem", dict(layers=7, weighting="videogem"))])
@pytest.mark.parametrize("norm", ["norm", "raw"])
def test_heatmaps_match_upstream_reference(model, ref, name, kwargs, norm):
    import torch

    from svag.vision.gem import GemConfig, GemHeatmapper
    g = GemHeatmapper(model, GemConfig(**kwargs))
    maps = g.heatmaps(torch.from_numpy(ref["pixel_values"]), torch.from_numpy(ref["text"]), normalize=norm == "norm")
    expected = ref[f"{name}_{norm}"]
    assert maps.shape == expected.shape
    np.testing.assert_allclose(maps.numpy(), expected, atol=2e-5, rtol=0)


def test_fixture_inputs_are_the_generated_ones(tiny, ref):
    pix, txt = tiny.inputs(seed=1)
    np.testing.assert_array_equal(pix, ref["pixel_values"])
    np.testing.assert_array_equal(txt, ref["text"])


def _softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def test_self_self_attention_matches_a_literal_numpy_derivation():
    import torch

    from svag.vision.gem import self_self_attention
    rng = np.random.default_rng(5)
    B, h, N, d = 2, 3, 7, 4
    qkv = rng.standard_normal((3, B, h, N, d))
    x = rng.standard_normal((B, N, h * d))
    got = self_self_attention(torch.from_numpy(qkv), torch.from_numpy(x), d, iterations=2).numpy()
    want = np.zeros((B, h, N, d))
    for b in range(B):
        tau = np.mean([np.linalg.norm(x[b, i]) for i in range(N)]) / np.sqrt(d)
        for head in range(h):
            v = qkv[2, b, head]
            acc = np.zeros((N, d))
            for p in range(3):
                z = qkv[p, b, head]
                for _ in range(2):
                    zn = _unit(z)
                    z = _softmax(tau * zn @ zn.T) @ zn
                zn = _unit(z)
                acc += _softmax(tau * zn @ zn.T) @ v
            want[b, head] = acc / 3
    np.testing.assert_allclose(got, want, atol=1e-10)
    # temperature_scale multiplies the inverse temperature, adaptive or fixed
    tau = np.linalg.norm(x, axis=-1).mean(axis=-1)[None, :, None, None, None] / np.sqrt(d)
    scaled = self_self_attention(torch.from_numpy(qkv), torch.from_numpy(x), d, 2, None, 4.0).numpy()
    assert not np.allclose(scaled, got)
    for b in range(B):
        fixed = self_self_attention(torch.from_numpy(qkv[:, b:b + 1]), torch.from_numpy(x[b:b + 1]), d, 2,
                                    float(4 * tau[0, b, 0, 0, 0])).numpy()
        np.testing.assert_allclose(scaled[b:b + 1], fixed, atol=1e-10)


def test_weights_static_dynamic_and_batching(model, ref):
    import torch

    from svag.vision.gem import PAPER_STATIC, GemConfig, GemHeatmapper
    pix, txt = torch.from_numpy(ref["pixel_values"]), torch.from_numpy(ref["text"])
    g = GemHeatmapper(model, GemConfig())
    run = g._run(pix)
    w = g.layer_weights(run, txt).numpy()
    assert w.shape == (2, 3, 8)
    np.testing.assert_allclose(w[..., :5], np.broadcast_to(PAPER_STATIC[:5], (2, 3, 5)))
    np.testing.assert_allclose(w[..., 5:].sum(-1), sum(PAPER_STATIC[5:]), atol=1e-6)   # softmax adds 1 - 3 * 1/3
    assert (w[..., 5:] > PAPER_STATIC[5] - 1 / 3).all() and w[..., 5:].std() > 0       # per frame and prompt
    static = GemHeatmapper(model, GemConfig(weighting="static")).layer_weights(run, txt).numpy()
    np.testing.assert_allclose(static, np.broadcast_to(PAPER_STATIC, (2, 3, 8)))
    one = torch.cat([g.heatmaps(pix[i:i + 1], txt) for i in range(2)])
    np.testing.assert_allclose(g.heatmaps(pix, txt, chunk=2).numpy(), one.numpy(), atol=1e-5)
    # hooks are gone after a run: the plain model is unchanged
    assert all(not layer.self_attn.q_proj._forward_hooks for layer in model.vision_model.encoder.layers)


def test_frame_resolution_attention_baseline_and_config_errors(model, ref):
    import torch

    from svag.vision.gem import GemConfig, GemHeatmapper
    g = GemHeatmapper(model, GemConfig())
    frames = np.random.default_rng(0).integers(0, 255, (3, 48, 80, 3), dtype=np.uint8)
    pix = g.preprocess(frames)
    assert tuple(pix.shape) == (3, 3, 32, 32)
    maps = g.heatmaps(pix, torch.from_numpy(ref["text"]), size=(48, 80))
    assert tuple(maps.shape) == (3, 3, 48, 80)
    assert np.allclose(maps.amax(dim=(-2, -1)).numpy(), 1) and np.allclose(maps.amin(dim=(-2, -1)).numpy(), 0)
    att = g.attention_maps(pix, size=(48, 80))
    assert tuple(att.shape) == (3, 1, 48, 80)
    with pytest.raises(InputError, match="weighting"):
        GemConfig(weighting="best")
    with pytest.raises(InputError, match="temperature_scale must be > 0"):
        GemConfig(temperature_scale=0)
    with pytest.raises(InputError, match="static_weights needs 8"):
        GemConfig(static_weights=(1.0, 2.0))
    with pytest.raises(InputError, match="the vision tower has 8"):
        GemHeatmapper(model, GemConfig(layers=9))
    with pytest.raises(InputError, match=r"\(B, H, W, 3\)"):
        g.preprocess(frames[..., 0])


@pytest.mark.parametrize("text, subject, prompts", [
    ("kick ball", None, ("A photo of a person kick something.", "A photo of a person using ball.",
                         "A photo of a person kick ball.")),
    ("The man walks to the red car", "man", ("A photo of a man walks something.",
                                             "A photo of a man using red car.", "A photo of the man walks to the red car.")),
    ("stands still", "dog", ("A photo of a dog stands something.", "A photo of a dog.",
                             "A photo of a dog stands still.")),
])
def test_prompt_decomposition(text, subject, prompts):
    from svag.vision.gem import decompose
    ps = decompose(text, subject)
    assert ps.prompts == prompts and ps.weights == (1.0, 1.0, 3.0) and ps.kinds == ("verb", "object", "action")
    assert decompose(text, subject, weights={"object": 0}).kinds == ("verb", "action")


def test_combine_gives_paper_point_and_weighted_map():
    import torch

    from svag.vision.gem import combine
    maps = torch.zeros(1, 3, 10, 20)
    maps[0, 0, 2, 4] = 1       # verb max at x=4, y=2
    maps[0, 1, 6, 10] = 1      # object max at x=10, y=6
    maps[0, 2, 4, 16] = 1      # action max at x=16, y=4
    mean, point = combine(maps, (1, 1, 3))
    np.testing.assert_allclose(point.numpy(), [[(4 + 10 + 48) / 5, (2 + 6 + 12) / 5]])
    assert mean[0, 4, 16] == pytest.approx(0.6) and mean[0, 2, 4] == pytest.approx(0.2)


# ---- heatmap files and the pointing game ---------------------------------------------------------------

def _hm(frames, peaks, size=(40, 20), points=None):
    W, H = size
    maps = np.zeros((len(frames), H, W), np.float32)
    for i, (x, y) in enumerate(peaks):
        maps[i, y, x] = 1
    return Heatmaps(np.asarray(frames), maps, size, points, {"method": "test"})


def test_heatmap_file_round_trip_is_atomic_and_refuses_overwrite(tmp_path):
    hm = _hm([1, 3], [(5, 6), (30, 2)], points=np.array([[1.5, 2.5], [3, 4]]))
    p = write_heatmaps(tmp_path, "vid/01", 7, hm)
    assert p == heatmap_path(tmp_path, "vid/01", 7) and p.parent.name == "vid_01"
    assert [f.name for f in p.parent.iterdir()] == ["7.npz"]          # no temporary left over
    back = read_heatmaps(p)
    np.testing.assert_array_equal(back.frames, [1, 3])
    assert back.maps.dtype == np.float16 and back.size == (40, 20)
    np.testing.assert_allclose(back.peak_points(), [[1.5, 2.5], [3, 4]])
    assert back.meta["method"] == "test" and back.meta["query_id"] == 7
    nopts = _hm([2], [(5, 6)])
    np.testing.assert_allclose(nopts.peak_points(), [[5.5, 6.5]])
    with pytest.raises(InputError, match="--force"):
        write_heatmaps(tmp_path, "vid/01", 7, hm)
    write_heatmaps(tmp_path, "vid/01", 7, nopts, overwrite=True)
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(InputError, match="bad.npz"):
        read_heatmaps(tmp_path / "bad.npz")
    np.savez(tmp_path / "partial.npz", frames=np.array([1]))
    with pytest.raises(InputError, match="lacks"):
        read_heatmaps(tmp_path / "partial.npz")


def _gt():
    # query 1: actor box x 10-20, y 5-15 on frames 1-4, action window 2-4; second actor elsewhere
    t1 = Track(1, np.arange(1, 5), np.tile([10.0, 5, 10, 10], (4, 1)), windows=np.array([[2, 4, np.nan]]))
    t2 = Track(2, np.arange(1, 5), np.tile([30.0, 0, 5, 5], (4, 1)), windows=np.array([[1, 1, np.nan]]))
    q1 = Query(1, "a person waves", "V", 4, (t1, t2))
    q2 = Query(2, "nobody", "V", 4, ())
    return SvagData((Dataset("D", (q1, q2)),))


def test_pointing_hits_and_annotated_frames():
    ann = annotated_boxes(_gt().datasets[0].queries[0])
    assert sorted(ann) == [1, 2, 3, 4] and len(ann[1]) == 1 and ann[1][0][0] == 30
    assert sorted(annotated_boxes(_gt().datasets[0].queries[0], "boxes")) == [1, 2, 3, 4]
    assert len(annotated_boxes(_gt().datasets[0].queries[0], "boxes")[1]) == 2
    hits = pointing_hits([[10, 5], [20, 15], [20.01, 10], [32, 3]],
                         [np.array([[10, 5, 10, 10]])] * 3 + [np.array([[10, 5, 10, 10], [30, 0, 5, 5]])])
    assert hits.tolist() == [True, True, False, True]


def test_pointing_accuracy_against_hand_count(tmp_path):
    # frame 1: on actor 2 (hit: its window), 2: on actor 1 (hit), 3: background (miss), 4: no heatmap
    write_heatmaps(tmp_path, "V", 1, _hm([1, 2, 3], [(32, 2), (15, 10), (2, 18)]))
    res = evaluate_pointing(_gt(), tmp_path)
    assert res.mean["frames"] == 3 and res.mean["hits"] == 2 and res.mean["frames_without_heatmap"] == 1
    assert res.mean["accuracy"] == pytest.approx(200 / 3) and res.datasets["D"]["queries"] == 1
    assert any("no heatmap" in n for n in res.notes)
    # counting every frame with a box: frame 1 has both actors -> still a hit
    assert evaluate_pointing(_gt(), tmp_path, frames="boxes").mean["hits"] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    res = evaluate_pointing(_gt(), empty)
    assert np.isnan(res.mean["accuracy"]) and any("no heatmap file" in n for n in res.notes)
    with pytest.raises(InputError, match="heatmap folder not found"):
        evaluate_pointing(_gt(), tmp_path / "nope")


def test_pointing_cli(tmp_path):
    from svag.cli.main import main
    from svag.io.svag_json import write_svag
    write_svag(tmp_path / "gt.json", _gt(), "gt")
    write_heatmaps(tmp_path / "hm", "V", 1, _hm([2, 3], [(15, 10), (2, 18)]))
    out = tmp_path / "s.json"
    assert main(["eval", "--protocol", "pointing", str(tmp_path / "gt.json"), str(tmp_path / "hm"),
                 "--json", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text())["mean"]["accuracy"] == pytest.approx(50.0)


# ---- the grounder -----------------------------------------------------------------------------------

def test_videogem_relevance_and_windows_from_given_heatmaps():
    from svag.ground.videogem import VideoGemGrounder
    W, H, F = 40, 20, 30
    frames = np.arange(1, F + 1)
    maps = np.full((F, H, W), 0.1, np.float32)
    maps[10:25, 5:15, 10:20] = 1.0                 # heat on actor 1 during frames 11-25
    hm = Heatmaps(frames, maps, (W, H))
    a1 = Track(1, frames, np.tile([10.0, 5, 10, 10], (F, 1)))
    a2 = Track(2, frames[::2], np.tile([25.0, 5, 10, 10], (15, 1)))
    scene = Scene((a1, a2), W, H, 10.0, F)
    g = VideoGemGrounder(smooth_s=0.3, threshold=0.6, low=0.55, sample_fps=0)
    rel = g.relevance(scene, hm)
    assert rel[1][15] > 0.85 and rel[1][0] == pytest.approx(0.5) and rel[2].max() == pytest.approx(0.5)
    assert rel[2].min() < 0.4 and len(rel[2]) == len(a2)
    q = ActionQuery("a person waves", "person")
    g.heatmaps_[g.memo_key(scene, q)] = hm
    res = g.ground(scene, q)
    assert [gr.track.track_id for gr in res.groundings] == [1]
    s, e = res.groundings[0].windows[0, :2]
    assert abs(s - 11) <= 2 and abs(e - 25) <= 2


def _two_walkers():
    """Two people walking right side by side, and heatmaps hot on the first one's box only."""
    W, H, F = 200, 100, 40
    fr = np.arange(1, F + 1)
    x = 10 + 2.0 * (fr - 1)
    walkers = tuple(Track(tid, fr, np.c_[x, np.full(F, y), np.full(F, 10.0), np.full(F, 25.0)], category="person",
                          category_score=0.9) for tid, y in ((1, 10.0), (2, 60.0)))
    maps = np.full((F, H, W), 0.1, np.float32)
    for i, xi in enumerate(x.astype(int)):
        maps[i, 10:35, xi:xi + 10] = 1.0
    return Scene(walkers, W, H, 10.0, F), Heatmaps(fr, maps, (W, H))


def test_fusion_checks_a_gesture_with_videogem_heatmaps():
    """fusion -O videogem=...: the predicate boxes cannot show ("waves") is checked by the query's
    heatmaps relative to the video's tracks; flat heatmaps decide nothing (a note says so)."""
    from svag.vision.grounders import FusionGrounder
    scene, hm = _two_walkers()
    text = "a person walks to the right and waves"
    for maps, recheck, kept, note in ((hm.maps, 0.5, [1], "checked by VideoGEM heatmaps: gesture"),
                                      (hm.maps, 0.0, [1, 2], "checked by VideoGEM heatmaps: gesture"),
                                      (np.full_like(hm.maps, 0.3), 0.5, [1, 2], "no track's box holds the heat")):
        g = FusionGrounder("unused", device="cpu", recheck=recheck, videogem={"model": "unused", "sample_fps": 0})
        assert g.needs_pixels
        q = g.parse(text)
        g.videogem_.heatmaps_[g.videogem_.memo_key(scene, q)] = Heatmaps(hm.frames, maps, hm.size)
        res = g.ground(scene, text)        # no crop is encoded: every track has a confident category
        assert sorted(gr.track.track_id for gr in res.groundings) == kept
        assert any(note in n for n in res.notes), res.notes
    with pytest.raises(InputError, match="videogem must be a dict"):
        FusionGrounder("unused", videogem="DIR")


def test_fusion_with_videogem_end_to_end_cli(tmp_path):
    """The real path from the command line: the tiny CLIP of the vision tests is both the crop
    encoder and the heatmap model; the gesture's heatmaps are computed from the video's pixels and
    cached."""
    pytest.importorskip("transformers")
    from svag.cli.main import main
    from svag.synth.benchmark import generate_benchmark
    clip = ROOT / "tests" / "models" / "tiny-clip-synth"
    generate_benchmark(tmp_path / "syn", videos=1, frames=16, size=(96, 64), seed=2)
    seq = next(p for p in (tmp_path / "syn").iterdir() if p.is_dir())
    vg = json.dumps({"model": str(clip), "layers": 2, "weighting": "gem", "sample_fps": 0, "device": "cpu",
                     "cache_dir": str(tmp_path / "cache")})
    assert main(["ground", str(seq), "a person walks and waves", "--tracks", str(seq / "gt" / "gt.txt"),
                 "--grounder", "fusion", "-O", f"model={clip}", "-O", "device=cpu", "-O", f"videogem={vg}",
                 "--out", str(tmp_path / "pred.json"), "--no-progress"]) == 0
    assert json.loads((tmp_path / "pred.json").read_text())
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == 1


def test_videogem_needs_a_video():
    from svag.ground import build_grounder
    g = build_grounder("videogem")
    with pytest.raises(InputError, match="needs the video"):
        g.ground(Scene((), 10, 10, 10.0, 5), ActionQuery("x"))


def test_videogem_end_to_end_cli_with_cache(tiny, tmp_path):
    from svag.cli.main import main
    from svag.synth.benchmark import generate_benchmark
    tiny.build(seed=0, folder=tmp_path / "clip")
    generate_benchmark(tmp_path / "syn", videos=1, frames=16, size=(96, 64), seed=2)
    seq = next(p for p in (tmp_path / "syn").iterdir() if p.is_dir())
    args = ["ground", str(seq), "--queries", str(tmp_path / "syn" / "gt.json"), "--tracks", str(seq / "gt" / "gt.txt"),
            "--grounder", "videogem", "-O", f"model={tmp_path / 'clip'}", "-O", f"cache_dir={tmp_path / 'cache'}",
            "-O", "device=cpu", "-O", "sample_fps=0", "--heatmaps", str(tmp_path / "hm"),
            "--out", str(tmp_path / "pred.json"), "--no-progress"]
    assert main(args) == 0
    files = sorted((tmp_path / "hm" / seq.name).glob("*.npz"))
    assert files and len(list((tmp_path / "cache").rglob("*.npz"))) == len(files)
    hm = read_heatmaps(files[0])
    assert hm.maps.shape == (16, 64, 96) and hm.meta["method"] == "videogem" and len(hm.meta["prompts"]) == 3
    res = evaluate_pointing(read_svag(tmp_path / "syn" / "gt.json"), tmp_path / "hm")
    assert res.mean["frames"] > 0 and 0 <= res.mean["accuracy"] <= 100
    # second run: heatmaps come from the disk cache (identical files)
    assert main(args + ["--force"]) == 0
    np.testing.assert_array_equal(read_heatmaps(files[0]).maps, hm.maps)


def test_default_offline_path_imports_no_vision_code(tmp_path):
    from svag.synth.benchmark import generate_benchmark
    generate_benchmark(tmp_path / "syn", videos=1, frames=12, size=(96, 64), seed=4, write_video=False)
    seq = next(p for p in (tmp_path / "syn").iterdir() if p.is_dir())
    code = (
        "import sys\n"
        "from svag.cli.main import main\n"
        f"main(['ground', {str(seq)!r}, 'a person walks', '--tracks', {str(seq / 'gt' / 'gt.txt')!r}, '--no-progress'])\n"
        "bad = sorted(m for m in sys.modules if m == 'transformers' or m.startswith(('transformers.', 'svag.vision')))\n"
        "print('BAD', bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.returncode == 0, out.stderr
    assert "BAD []" in out.stdout


def test_videogem_reads_scene_frames_and_caches_under_the_scene_folder(tiny, tmp_path):
    """Pixels come from scene.frames (only the sampled frames); heatmaps land in the scene's cache
    folder keyed by (scene key, sampling, model, query), and a new grounder reads them back."""
    from svag.ground import build_grounder
    from svag.run.scene import SceneBuilder, SceneConfig
    from svag.synth.benchmark import generate_benchmark
    tiny.build(seed=0, folder=tmp_path / "clip")
    generate_benchmark(tmp_path / "syn", videos=1, frames=12, size=(96, 64), seed=3)
    seq = next(p for p in (tmp_path / "syn").iterdir() if p.is_dir())
    scene = SceneBuilder(SceneConfig(cache_dir=str(tmp_path / "scenes"))).from_tracks(seq / "gt" / "gt.txt", seq)
    assert scene.frames is not None and scene.cache_dir is not None and scene.key

    read: list[int] = []
    frames = scene.frames

    class Spy:
        def read(self, indices):  # type: ignore[no-untyped-def]
            for i, im in frames.read(indices):
                read.append(i)
                yield i, im

    from dataclasses import replace
    spied = replace(scene, frames=Spy())
    every = int(round(scene.fps / 2.0))
    opts = {"model": str(tmp_path / "clip"), "device": "cpu", "sample_fps": 2.0}
    g = build_grounder("videogem", **opts)
    res = g.ground(spied, "a person walks")
    assert res.text == "a person walks" and res.groundings
    want = list(range(1, scene.num_frames + 1, every))
    assert read == want and g.heatmaps(spied, "a person walks").frames.tolist() == want
    files = list((scene.cache_dir / "heatmaps").glob("*.npz"))
    assert len(files) == 1

    fresh = build_grounder("videogem", **opts)
    fresh._compute = None                     # type: ignore[assignment]  (would fail if called)
    np.testing.assert_array_equal(fresh.heatmaps(scene, "a person walks").maps,
                                  g.heatmaps(spied, "a person walks").maps)
    other = build_grounder("videogem", **{**opts, "sample_fps": 0})   # other sampling: another entry
    other.heatmaps(scene, "a person walks")
    assert len(list((scene.cache_dir / "heatmaps").glob("*.npz"))) == 2
    assert not list((scene.cache_dir / "heatmaps").glob("*.tmp*"))


def test_videogem_cli_checks_and_render_overlay(tiny, tmp_path):
    from svag.cli.main import main
    from svag.synth.benchmark import generate_benchmark
    from svag.video.reader import open_video
    tiny.build(seed=0, folder=tmp_path / "clip")
    generate_benchmark(tmp_path / "syn", videos=1, frames=10, size=(96, 64), seed=5)
    seq = next(p for p in (tmp_path / "syn").iterdir() if p.is_dir())
    base = ["ground", str(seq), "a person walks", "--tracks", str(seq / "gt" / "gt.txt"), "--no-progress"]
    assert main(base + ["--heatmaps", str(tmp_path / "hm")]) == 2          # kinematic has no heatmaps
    assert not (tmp_path / "hm").exists()
    gem = base + ["--grounder", "videogem", "-O", f"model={tmp_path / 'clip'}", "-O", "device=cpu",
                  "-O", "sample_fps=0", "--no-cache"]
    assert main(gem + ["--render", str(tmp_path / "out.mp4"), "--heatmaps", str(tmp_path / "hm")]) == 0
    assert len(list((tmp_path / "hm").rglob("*.npz"))) == 1
    plain = tmp_path / "plain.mp4"
    assert main(base + ["--render", str(plain)]) == 0
    a = [f.image.astype(int) for f in open_video(tmp_path / "out.mp4")]
    b = [f.image.astype(int) for f in open_video(plain)]
    assert len(a) == len(b) == 10
    assert np.mean([np.abs(x - y).mean() for x, y in zip(a, b)]) > 5      # the heatmap is overlaid
    # an existing heatmap file is refused before any work without --force
    assert main(gem + ["--heatmaps", str(tmp_path / "hm")]) == 2


# ---- the pointing game with the committed tiny CLIP ----------------------------------------------------

def _bench():
    return load_script(ROOT / "benchmarks" / "bench_videogem.py")


def _play_held_out(tmp_path, config):
    """The bench's pointing game with ``config``'s model on the held-out seed-7 videos (4 videos,
    every 5th frame): videogem, the attention map and the centre, with the share of the frame the
    actors cover (chance)."""
    pytest.importorskip("transformers")
    import torch
    bench = _bench()
    cfg = bench.CONFIGS[config]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)    # the tiny model's heat maxima nearly tie: with 2 threads the float sums, and
    try:                        # with them videogem's hits, moved between runs (3.68-4.26 %); 1 thread: 4.07
        res, stats = bench.measure(tmp_path, cfg["model"], cfg["layers"], cfg["input_size"], videos=4, frames=125,
                                   size=(160, 96), seed=7, every=5, methods=("videogem", "attention", "centre"))
    finally:
        torch.set_num_threads(threads)
    chance = bench.box_area_share(stats["gt"], (160, 96))
    print({m: round(r["accuracy"], 2) for m, r in res.items()}, round(chance, 2), res["videogem"]["frames"])
    assert res["videogem"]["frames"] == res["attention"]["frames"] == res["centre"]["frames"] > 500
    for r in res.values():      # the bench's diagnostic: a point on the query's actor is on an actor
        assert r["accuracy"] <= r["on_any_actor"] <= 100
    return res, chance


def test_pointing_game_on_held_out_synth_videos(tmp_path):
    """benchmarks/models/tiny_clip_frames (trained CLIP-style on random crops of synth scenes of
    the seeds ``default_rng([1000, k])``) on held-out ``svag synth`` videos (seed 7, disjoint),
    through the benchmark's own code: videogem points at the query's actors well above the centre
    of the frame and chance. With this model it is *below* the text-free last-layer attention map
    (docs/videogem.md: its CLS attention is drawn to the actors), so that is not asserted here."""
    res, chance = _play_held_out(tmp_path, "tiny")
    assert res["videogem"]["accuracy"] > res["centre"]["accuracy"] + 2
    assert res["videogem"]["accuracy"] > 2 * chance
    assert res["attention"]["on_any_actor"] > res["attention"]["accuracy"]   # it does land on wrong actors


def test_pointing_game_whole_frame_model_beats_the_attention_map_on_held_out_videos(tmp_path):
    """Issue 14's check with the model trained the same way on whole frames
    (benchmarks/models/tiny_clip_whole_frames; chosen on seed 11 among two whole-frame candidates,
    docs/videogem.md): on the held-out seed-7 videos videogem points at the query's actors well
    above the centre of the frame, chance and the text-free last-layer attention map, whose
    maximum is rarely on any actor at all (measured here: 8.91 / 0.00 / 1.40 / 1.55 %; the bench
    run with every method read 9.11 for videogem, a hit apart: near-tied maxima)."""
    res, chance = _play_held_out(tmp_path, "tiny-whole")
    acc = {m: r["accuracy"] for m, r in res.items()}
    assert acc["videogem"] > acc["centre"] + 5
    assert acc["videogem"] > acc["attention"] + 5
    assert acc["videogem"] > 4 * chance
    assert res["attention"]["on_any_actor"] < res["videogem"]["on_any_actor"]
