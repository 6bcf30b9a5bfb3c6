"""Multimodal-LLM verification (svag.vision.mllm, the mllm grounder) with tiny randomly
initialised Qwen2.5-VL and LLaVA-OneVision models built and saved by the tests."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from svag.core.types import Track  # noqa: E402
from svag.errors import InputError  # noqa: E402
from svag.ground.mllm import MllmGrounder  # noqa: E402
from svag.vision.mllm import (NO, YES, ClipSpec, MllmVerifier, draw_view, load_chat_model,  # noqa: E402
                              sample_frames, token_ids)
from tiny_vlm import build_tiny_llava_onevision, build_tiny_qwen, build_tiny_qwen3_vl  # noqa: E402


class Frames:
    """A frame source of random images (seeded by index) that counts its passes."""

    def __init__(self, shape=(120, 160, 3)):
        self.shape, self.passes = shape, 0

    def read(self, indices):
        self.passes += 1
        for i in sorted(set(indices)):
            yield i, np.random.default_rng(i).integers(0, 255, self.shape, dtype=np.uint8)


@dataclass
class FakeScene:
    tracks: tuple
    frames: object = field(default_factory=Frames)
    fps: float = 10.0
    width: int = 160
    height: int = 120
    num_frames: int = 60
    key: str = "scene-key"
    name: str = "fake.mp4"
    cache_dir: object = None


def _tracks():
    return (Track(1, np.arange(1, 41), np.tile([10, 10, 30, 40.0], (40, 1))),
            Track(2, np.arange(5, 61), np.tile([80, 20, 40, 50.0], (56, 1))),
            Track(3, np.arange(20, 51), np.tile([40, 60, 20, 30.0], (31, 1))))


BUILDERS = {"qwen2_5_vl": build_tiny_qwen, "qwen3_vl": build_tiny_qwen3_vl,
            "llava_onevision": build_tiny_llava_onevision}


@pytest.fixture(scope="module", params=list(BUILDERS))
def tiny_model(request, tmp_path_factory):
    return BUILDERS[request.param](tmp_path_factory.mktemp(request.param))


def _verifier(path, **kw):
    kw = {"device": "cpu", "max_frames": 3, "size": 112, "batch_size": 2, "cache_dir": "", **kw}
    return MllmVerifier(path, **kw)


def _reference_p(model, processor, clip, text, verifier):
    """p(yes) from the plain path: processor with the images, model with pixel values."""
    prompt = verifier.prompt(text, len(clip))
    inputs = processor(text=[prompt], images=[clip], return_tensors="pt", padding=True)
    with torch.no_grad():
        logits = model(**inputs).logits[0, -1].float()
    yes = torch.logsumexp(logits[token_ids(processor.tokenizer, YES)], 0)
    no = torch.logsumexp(logits[token_ids(processor.tokenizer, NO)], 0)
    return float(torch.sigmoid(yes - no))


def test_loads_offline_and_reads_yes_from_logits(tiny_model):
    model, processor = load_chat_model(tiny_model, device="cpu")
    assert processor.tokenizer.padding_side == "left"
    scene = FakeScene(_tracks())
    v = _verifier(tiny_model)
    specs = [ClipSpec(1, 1, 40), ClipSpec(2, 5, 60)]
    p = v.verify(scene, specs, "a person walks left")
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
    from svag.vision.mllm import read_clips
    clips = read_clips(Frames(), {t.track_id: t for t in scene.tracks}, specs, max_frames=3, view="box", size=112,
                       context=0.5)
    for clip, got in zip(clips, p):
        assert got == pytest.approx(_reference_p(model, processor, clip, "a person walks left", v), abs=2e-5)


def test_logit_reading_follows_the_yes_and_no_tokens(tiny_model):
    model, processor = load_chat_model(tiny_model, device="cpu")
    yes_ids = token_ids(processor.tokenizer, YES)
    no_ids = token_ids(processor.tokenizer, NO)
    assert yes_ids and no_ids and not set(yes_ids) & set(no_ids)
    head = model.get_output_embeddings()
    for boost, expect in ((yes_ids, 1.0), (no_ids, 0.0)):
        def hook(_m, _i, out, ids=boost):
            out = out.clone()
            out[..., ids] += 40.0
            return out
        handle = head.register_forward_hook(hook)
        try:
            p = _verifier(tiny_model).verify(FakeScene(_tracks()), [ClipSpec(3, 20, 50)], "a dog walks")
        finally:
            handle.remove()
        assert p[0] == pytest.approx(expect, abs=1e-6)


def test_encode_once_query_many_and_answer_cache(tiny_model, tmp_path):
    scene = FakeScene(_tracks(), cache_dir=tmp_path)
    v = _verifier(tiny_model, cache_dir=None, batch_size=3)
    specs = [ClipSpec(1, 1, 40), ClipSpec(2, 5, 60), ClipSpec(3, 20, 50)]
    p1 = v.verify(scene, specs, "a person walks left")
    assert v.calls_ == {"vision": 3, "language": 1} and scene.frames.passes == 1
    p2 = v.verify(scene, specs, "a car turns right")          # new query: no pixels, no vision tower
    assert v.calls_ == {"vision": 3, "language": 2} and scene.frames.passes == 1
    assert not np.allclose(p1, p2)
    v.verify(scene, specs, "a person walks left")             # answered before: nothing runs
    assert v.calls_ == {"vision": 3, "language": 2}
    fresh = _verifier(tiny_model, cache_dir=None)              # a new process: answers read from disk
    np.testing.assert_allclose(fresh.verify(scene, specs, "a person walks left"), p1)
    assert fresh.calls_ == {"vision": 0, "language": 0} and (tmp_path / "mllm_answers.json").is_file()


def test_batches_give_the_same_answers(tiny_model):
    scene = FakeScene(_tracks())
    specs = [ClipSpec(1, 1, 40), ClipSpec(2, 5, 60), ClipSpec(3, 20, 50), ClipSpec(2, 30, 45)]
    one = _verifier(tiny_model, batch_size=1).verify(scene, specs, "a person walks left")
    many = _verifier(tiny_model, batch_size=4).verify(scene, specs, "a person walks left")
    np.testing.assert_allclose(one, many, atol=2e-5)


def test_crop_view_and_budgets(tiny_model):
    scene = FakeScene(_tracks())
    v = _verifier(tiny_model, view="crop", max_prompt_tokens=8)
    with pytest.raises(InputError, match="max_prompt_tokens"):
        v.verify(scene, [ClipSpec(1, 1, 40)], "a person walks left")
    with pytest.raises(InputError, match="not a track"):
        _verifier(tiny_model).verify(scene, [ClipSpec(99, 1, 40)], "a person walks left")
    with pytest.raises(InputError, match="view"):
        MllmVerifier(tiny_model, view="zoom")
    with pytest.raises(InputError, match=r"\{query\}"):
        MllmVerifier(tiny_model, question="Is it walking?")


def test_sample_frames_and_views():
    t = Track(1, np.arange(10, 110, 2), np.tile([0, 0, 5, 5.0], (50, 1)))
    got = sample_frames(t, 20, 80, 8)
    assert len(got) == 8 and got[0] == 20 and got[-1] == 80 and np.all(np.isin(got, t.frames))
    assert sample_frames(t, 20, 26, 8).tolist() == [20, 22, 24, 26]
    image = np.zeros((100, 200, 3), np.uint8)
    boxed = draw_view(image, np.array([50, 20, 40, 30.0]), "box", 100, 0.5)
    assert boxed.shape == (50, 100, 3)
    assert boxed[10, 35, 0] > 200 and boxed[10, 35, 2] == 0       # red edge (RGB), left side of the box
    assert boxed[25, 80].sum() == 0                                 # far from the box: untouched
    crop = draw_view(image, np.array([50, 20, 40, 30.0]), "crop", 60, 0.5)
    assert crop.shape[1] == 60 and 45 <= crop.shape[0] <= 46       # a 60x45 crop (pixel-rounded), longer side 60


class ScriptedVerifier:
    """Answers by rule: track 2 does the action in frames 20-40, nothing else does."""

    def __init__(self):
        self.asked = []

    def verify(self, scene, specs, text):
        self.asked.extend(specs)
        out = []
        for s in specs:
            inside = max(0, min(s.end, 40) - max(s.start, 20) + 1) / (s.end - s.start + 1)
            out.append(0.95 * inside if s.track_id == 2 else 0.05)
        return np.asarray(out)


def test_grounder_reranks_filters_and_finds_moments():
    scene = FakeScene(_tracks())
    fake = ScriptedVerifier()
    g = MllmGrounder(shortlist="all-tracks", verify=2, threshold=0.3, verifier=fake, segment_s=1.0, stride_s=0.5)
    res = g.ground(scene, _query("a person walks left"))
    assert [x.track.track_id for x in res.groundings] == [2]
    assert any("best 2 of 3" in n for n in res.notes)
    asked_tracks = {s.track_id for s in fake.asked}
    assert asked_tracks == {1, 2}                                     # the budget: two tracks only
    w = res.groundings[0].windows
    # the moment [20, 40] to within half a segment (5 frames), not the whole life [5, 60]
    assert abs(w[0, 0] - 20) <= 5 and abs(w[0, 1] - 40) <= 5


def test_grounder_end_to_end_with_a_tiny_model(tiny_model):
    scene = FakeScene(_tracks())
    g = MllmGrounder(str(tiny_model), shortlist="all-tracks", verify=3, threshold=0.0, device="cpu", max_frames=2,
                     size=112, batch_size=4, segment_s=2.0, stride_s=2.0, max_segments=3, cache_dir="")
    res = g.ground(scene, _query("a person walks left"))
    assert len(res.groundings) == 3
    assert all(0 <= x.score <= 1 and len(x.windows) for x in res.groundings)
    # whole-track clips (3) + segments of 2 s every 2 s: track 1 (1-40): 2, track 2 (5-60): 2, track 3 (20-50): 1
    assert g.verifier.verifier.calls_["vision"] == 3 + 5


def _query(text):
    return text                    # grounders take the query's text


def test_cli_ground_with_mllm_end_to_end(tiny_model, tmp_path, capsys):
    """`svag ground VIDEO QUERY --grounder mllm -O mllm.shortlist=... -O mllm.model=DIR --render`
    offline on a synthetic video (its true tracks as --tracks; frames read from the MP4)."""
    from svag.cli.main import main
    syn = tmp_path / "syn"
    assert main(["synth", "--out", str(syn), "--videos", "1", "--frames", "40", "--size", "160x96",
                 "--no-progress"]) == 0
    video = syn / "SYNTH-01"
    out, render = tmp_path / "pred.json", tmp_path / "out.mp4"
    code = main(["ground", str(video), "a person walks to the left", "--tracks", str(video / "gt" / "gt.txt"),
                 "--grounder", "mllm", "-O", "mllm.shortlist=all-tracks", "-O", f"mllm.model={tiny_model}",
                 "-O", "mllm.device=cpu", "-O", "mllm.threshold=0", "-O", "mllm.max_frames=2", "-O", "mllm.size=112",
                 "-O", "mllm.max_segments=2", "--out", str(out), "--render", str(render), "--no-progress"])
    assert code == 0
    from svag.io.svag_json import read_svag
    pred = read_svag(out, "pred")
    (query,) = [q for d in pred for q in d]
    assert len(query.tracks) == 5                  # threshold 0: every shortlisted track kept, with windows
    assert all(len(t.windows) for t in query.tracks)
    assert render.is_file() and render.stat().st_size > 0
    capsys.readouterr()
    assert main(["ground", str(video), "a person walks", "--tracks", str(video / "gt" / "gt.txt"),
                 "--grounder", "mllm", "-O", "kinematic.threshold=0.5"]) == 2
    assert "for grounder 'kinematic', but --grounder is 'mllm'" in capsys.readouterr().err
