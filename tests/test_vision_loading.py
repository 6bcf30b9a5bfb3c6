"""Offline-first checkpoint loading (svag.vision.loading) with a tiny model saved by the test."""
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from svag.errors import InputError  # noqa: E402
from svag.vision.loading import clear_model_cache, load_pretrained, resolve_device, resolve_dtype  # noqa: E402


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory):
    cfg = transformers.CLIPConfig(
        text_config=dict(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                         vocab_size=99, bos_token_id=97, eos_token_id=98),
        vision_config=dict(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
                           image_size=32, patch_size=8), projection_dim=16)
    d = tmp_path_factory.mktemp("tiny_clip")
    transformers.CLIPModel(cfg).save_pretrained(d)
    return d


def test_loads_local_folder_once_per_process(tiny_clip_dir):
    clear_model_cache()
    m1, proc = load_pretrained(tiny_clip_dir, "CLIPModel", processor_class=None, device="cpu")
    m2, _ = load_pretrained(tiny_clip_dir, "CLIPModel", processor_class=None, device="cpu")
    assert m1 is m2 and proc is None and not m1.training
    assert next(m1.parameters()).dtype == torch.float32
    m3, _ = load_pretrained(tiny_clip_dir, "CLIPModel", processor_class=None, device="cpu", dtype="bfloat16")
    assert m3 is not m1 and next(m3.parameters()).dtype == torch.bfloat16


def test_missing_checkpoints_say_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.delenv("SVAG_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError, match="huggingface-cli download"):
        load_pretrained("svag-test/not-a-real-model", "CLIPModel", processor_class=None, device="cpu")
    with pytest.raises(InputError, match="no such folder"):
        load_pretrained(str(tmp_path / "nope"), "CLIPModel", device="cpu")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no config.json"):
        load_pretrained(tmp_path / "empty", "CLIPModel", device="cpu")


def test_devices_and_dtypes():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda", "mps")
    assert resolve_dtype("cpu") == torch.float32
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="no CUDA GPU"):
            resolve_device("cuda")
    with pytest.raises(InputError, match="--device must be"):
        resolve_device("tpu")
    with pytest.raises(InputError, match="--dtype"):
        resolve_dtype("cpu", "int3")
