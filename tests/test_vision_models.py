"""Every supported vision–language architecture as a tiny random model saved by the test:
offline load by path, forward, post-processing, shapes, dtype (svag.vision)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from svag.detect import build_detector  # noqa: E402
from svag.errors import InputError  # noqa: E402
from svag.video.reader import Frame  # noqa: E402
from svag.vision.tiny import build_tiny, clip_tokenizer  # noqa: E402

DETECTORS = ("owlv2", "grounding-dino", "omdet-turbo")
PROMPTS = ("person", "dog", "car")


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_vlm")
    return {a: build_tiny(a, root / a) for a in (*DETECTORS, "clip", "siglip")}


def _frames(n=3, h=90, w=160, seed=0):
    rng = np.random.default_rng(seed)
    return [Frame(i + 1, i / 25, rng.integers(0, 255, (h, w, 3), dtype=np.uint8)) for i in range(n)]


def test_clip_tokenizer_puts_start_and_end_last(tmp_path):
    tok = clip_tokenizer(tmp_path)
    ids = tok("a red dog")["input_ids"]
    assert ids[0] == len(tok) - 2 and ids[-1] == len(tok) - 1 == max(ids)
    assert tok.convert_ids_to_tokens(ids[1:-1]) == ["a</w>", "red</w>", "dog</w>"]
    assert len(tok("zebra crossing")["input_ids"]) > 4          # unknown words are spelled, never dropped


@pytest.mark.parametrize("arch", DETECTORS)
def test_detector_loads_offline_and_post_processes(tiny_dirs, arch, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    det = build_detector(arch, model=str(tiny_dirs[arch]), prompts=PROMPTS, threshold=0.0, nms_iou=0.7,
                         max_detections=15, device="cpu", batch_size=2)
    det.reset()
    frames = _frames()
    batch = det.detect_batch(frames)
    assert len(batch) == 3 and det.calls_ == 2                           # 2 + 1 frames: two forward passes
    for d in batch:
        assert 0 < len(d) <= 15
        assert np.all(d.boxes[:, :2] >= 0) and np.all(d.boxes[:, 0] + d.boxes[:, 2] <= 160 + 1e-6)
        assert np.all(d.boxes[:, 1] + d.boxes[:, 3] <= 90 + 1e-6) and np.all(d.boxes[:, 2:] > 1)
        assert np.all((d.scores >= 0) & (d.scores <= 1)) and np.all(np.diff(d.scores) <= 0)   # best first
        assert set(d.extras["category"]) <= set(PROMPTS)
        assert list(d.extras["category"]) == [PROMPTS[k] for k in d.labels]
        np.testing.assert_array_equal(d.extras["category_score"], d.scores)
    single = det.detect(frames[2])                                       # batching changes nothing
    np.testing.assert_allclose(single.boxes, batch[2].boxes, atol=1e-3)
    np.testing.assert_allclose(single.scores, batch[2].scores, atol=1e-4)
    high = build_detector(arch, model=str(tiny_dirs[arch]), prompts=PROMPTS, threshold=0.999, device="cpu")
    assert all(np.all(d.scores >= 0.999) for d in high.detect_batch(frames))


def test_owlv2_scores_match_transformers_post_processing(tiny_dirs):
    det = build_detector("owlv2", model=str(tiny_dirs["owlv2"]), prompts=PROMPTS, threshold=0.0, nms_iou=1.0,
                         max_detections=10_000, device="cpu")
    det.reset()
    frame = _frames(1, h=64, w=64)[0]
    ours = det.detect(frame)
    proc, model = det.processor_, det.model_
    rgb = frame.image[:, :, ::-1].copy()
    enc = proc(text=[[f"a photo of a {p}" for p in PROMPTS]], images=[rgb], return_tensors="pt")
    with torch.inference_mode():
        out = model(**enc)
    ref = proc.post_process_grounded_object_detection(out, threshold=0.0, target_sizes=[(64, 64)])[0]
    ref_boxes = ref["boxes"].numpy()
    inside = np.all(ref_boxes >= 0, axis=1) & np.all(ref_boxes <= 64, axis=1) & \
        (ref_boxes[:, 2] - ref_boxes[:, 0] > 1) & (ref_boxes[:, 3] - ref_boxes[:, 1] > 1)
    np.testing.assert_allclose(np.sort(ours.scores)[::-1][: inside.sum()],
                               np.sort(ref["scores"].numpy()[inside])[::-1], atol=1e-5)


def test_owlv2_encodes_prompts_once_and_matches_the_full_forward(tiny_dirs):
    """The prompts' text embeddings are computed once (reset); frame batches run only the image
    tower and heads, and give the full forward pass's logits and boxes."""
    det = build_detector("owlv2", model=str(tiny_dirs["owlv2"]), prompts=PROMPTS, threshold=0.0, device="cpu",
                         batch_size=4)
    det.reset()
    text_tower = det.model_.owlv2.text_model
    calls = []
    hook = text_tower.register_forward_hook(lambda *a: calls.append(1))
    try:
        frames = _frames(5)
        det.detect_batch(frames)
        assert calls == []                                   # no text tower per frame batch
        images = [np.ascontiguousarray(f.image[:, :, ::-1]) for f in frames[:4]]
        with torch.inference_mode():
            scores, boxes = det._forward(images)
            text = {k: v.repeat(len(images), 1) for k, v in det.text_.items()}
            full = det.model_(**det._pixels(images), **text)
    finally:
        hook.remove()
    assert len(calls) == 1                                   # only the reference forward ran it
    np.testing.assert_allclose(scores, full.logits.sigmoid().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(boxes, full.pred_boxes.numpy(), rtol=1e-5, atol=1e-6)


def test_grounding_dino_scores_each_prompt_by_its_own_tokens(tiny_dirs):
    det = build_detector("grounding-dino", model=str(tiny_dirs["grounding-dino"]), prompts=("person", "traffic light"),
                         device="cpu")
    det.reset()
    ids = det.text_["input_ids"][0].tolist()
    tok = det.processor_.tokenizer
    assert ids[0] == 101 and ids[-1] == 102                              # BERT [CLS] ... [SEP]
    owners = det.member_.numpy()
    assert tok.convert_ids_to_tokens([ids[i] for i in np.flatnonzero(owners[:, 0])]) == ["person"]
    assert tok.convert_ids_to_tokens([ids[i] for i in np.flatnonzero(owners[:, 1])]) == ["traffic", "light"]


def test_detector_half_precision_and_missing_checkpoint(tiny_dirs, tmp_path):
    det = build_detector("owlv2", model=str(tiny_dirs["owlv2"]), prompts=PROMPTS, threshold=0.0, device="cpu",
                         dtype="bfloat16")
    det.reset()
    assert det.torch_dtype_ == torch.bfloat16
    d = det.detect(_frames(1)[0])
    assert d.boxes.dtype == np.float64 and len(d) > 0
    with pytest.raises(InputError, match="no such folder"):
        build_detector("owlv2", model=str(tmp_path / "missing"), device="cpu").reset()
    with pytest.raises(InputError, match="no prompt"):
        build_detector("owlv2", model=str(tiny_dirs["owlv2"]), prompts=(), device="cpu").reset()


@pytest.mark.parametrize("arch", ["clip", "siglip"])
def test_image_text_embedder(tiny_dirs, arch):
    from svag.vision.embedder import ImageTextEmbedder
    m = ImageTextEmbedder(str(tiny_dirs[arch]), device="cpu")
    rng = np.random.default_rng(1)
    crops = [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for h, w in ((50, 20), (12, 40), (33, 33))]
    img = m.encode_images(crops)
    txt = m.encode_texts(["a photo of a red person", "a dog", "a photo of a red person"])
    assert img.shape[0] == 3 and txt.shape[0] == 3 and img.shape[1] == txt.shape[1]
    np.testing.assert_allclose(np.linalg.norm(img, axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(txt[0], txt[2])
    assert m.image_calls == 1 and m.scale > 0 and m.siglip == (arch == "siglip")
    half = ImageTextEmbedder(str(tiny_dirs[arch]), device="cpu", dtype="bfloat16")
    np.testing.assert_allclose(half.encode_images(crops), img, atol=0.1)


def test_vision_detector_through_the_tracker(tiny_dirs, tmp_path):
    from svag.synth import generate_benchmark
    from svag.track.pipeline import track_video
    info = generate_benchmark(tmp_path / "syn", videos=1, frames=8, size=(160, 96), seed=3)
    video = next((tmp_path / "syn").glob("*/*.mp4"))
    run = track_video(video, "owlv2", detector_kwargs=dict(model=str(tiny_dirs["owlv2"]), prompts=("person", "dog"),
                                                            threshold=0.0, device="cpu", max_detections=5),
                      tracker_kwargs=dict(high_score=0.0, low_score=0.0, new_track_score=0.0, min_hits=1))
    assert info.gt_path.is_file() and run.timings.frames == 8 and len(run.detections) > 0
    assert set(run.detections.extras["category"]) <= {"person", "dog"}
    tracks = run.tracks.tracks()
    assert tracks and all(t.category in ("person", "dog") for t in tracks)
    assert all(0 <= t.category_score <= 1 for t in tracks)
