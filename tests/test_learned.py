"""The learned grounder: deterministic training, the shipped weights on a real scene, clear
errors for bad checkpoints, and the ``svag train`` command on a tiny subset."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from svag.run.bench import mot_scene as _scene_for  # noqa: E402
from svag.data.build import build_ground_truth  # noqa: E402
from svag.errors import InputError  # noqa: E402
from svag.ground import build_grounder  # noqa: E402
from svag.train.samples import build_samples  # noqa: E402
from svag.ground.learned_model import load_checkpoint, save_checkpoint  # noqa: E402
from svag.train.learned import train  # noqa: E402
from svag.language.types import ActionQuery  # noqa: E402


def fake_embed(texts):
    """Deterministic stand-in for MiniLM (no model load in the determinism test)."""
    out = []
    for t in texts:
        seed = int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)
        v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
        out.append(v / np.linalg.norm(v))
    return np.stack(out)


@pytest.fixture(scope="module")
def tiny_samples(shared_data):
    gt, _ = build_ground_truth(shared_data / "svag/original/MOT17-training.json", shared_data / "mot", "MOT17",
                               videos=["MOT17-05"])
    (v,) = build_samples(gt, str(shared_data / "mot"))
    return [replace(v, texts=v.texts[:6], labels=v.labels[:6])]


def test_training_is_deterministic(tiny_samples, tmp_path):
    digests = []
    for run in ("a", "b"):
        net, cfg = train(tiny_samples, epochs=1, seed=3, embed=fake_embed)
        cfg["threshold"] = 0.5
        (tmp_path / run).mkdir()
        digests.append(save_checkpoint(tmp_path / run / "model.pt", net, cfg))
    assert digests[0] == digests[1]
    net, cfg = train(tiny_samples, epochs=1, seed=4, embed=fake_embed)
    cfg["threshold"] = 0.5
    assert save_checkpoint(tmp_path / "c.pt", net, cfg) != digests[0]


def test_shipped_model_grounds_a_real_scene(shared_data):
    scene = _scene_for("MOT17-05", shared_data / "mot", shared_data / "trackers" /
                       "20221127_result_auginput17dim_finethresh_wodist_onefut")
    g = build_grounder("learned")
    assert g.requires == ("learned-steps",)
    result = g.ground(scene, "A man walking to the left")                 # the grounder takes text
    assert result.groundings
    again = g.ground(scene, ActionQuery("A man walking to the left"))     # a parsed query: its text
    assert [(x.track.track_id, x.score) for x in again.groundings] == [(x.track.track_id, x.score)
                                                                     for x in result.groundings]
    assert result.groundings
    scores = [x.score for x in result.groundings]
    assert scores == sorted(scores, reverse=True)
    for x in result.groundings:
        w = x.windows
        assert w.ndim == 2 and w.shape[1] == 3 and len(w)
        assert np.all(w[:, 0] <= w[:, 1])
        assert np.all(w[:, 0] >= x.track.frames[0]) and np.all(w[:, 1] <= x.track.frames[-1])
        assert np.all((w[:, 2] >= 0) & (w[:, 2] <= 1))


def test_corrupted_checkpoint(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"this is not a torch file")
    with pytest.raises(InputError, match="bad.pt.*not a readable torch checkpoint"):
        load_checkpoint(bad)
    with pytest.raises(InputError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")


@pytest.mark.parametrize("key, value, message", [
    ("n_features", 7, "n_features is 7"),
    ("feature_spec", "v0", "feature_spec is 'v0'"),
    ("hidden", 16, "weights do not match its config"),
    ("threshold", 3.0, "threshold must be in"),
])
def test_mismatched_config(tiny_samples, tmp_path, key, value, message):
    net, cfg = train(tiny_samples, epochs=1, seed=0, embed=fake_embed)
    cfg["threshold"] = 0.5
    cfg[key] = value
    path = tmp_path / "m.pt"
    save_checkpoint(path, net, cfg)
    with pytest.raises(InputError, match=message) as info:
        load_checkpoint(path)
    assert "m.pt" in str(info.value)


def test_train_cli_tiny(shared_data, tmp_path, capsys):
    from svag.cli.main import main
    rows = json.loads((shared_data / "svag/original/MOT17-training.json").read_text())
    ann = tmp_path / "tiny.json"
    ann.write_text(json.dumps([r for r in rows if r["Video"] == "MOT17-05"][:8]))
    out = tmp_path / "tiny.pt"
    code = main(["train", str(ann), "--mot-root", str(shared_data / "mot"), "--dataset", "MOT17",
                 "--out", str(out), "--epochs", "1"])
    assert code == 0 and out.is_file()
    net, cfg = load_checkpoint(out)
    assert cfg["epochs"] == 1 and cfg["training_data"][0]["file"] == "tiny.json"
    assert main(["train", str(ann), "--mot-root", str(shared_data / "mot"), "--dataset", "MOT17",
                 "--out", str(out)]) == 2          # exists, no --force
    assert "--force" in capsys.readouterr().err
    g = build_grounder("learned", checkpoint=out)
    scene = _scene_for("MOT17-05", Path(shared_data) / "mot", None)
    assert g.ground(scene, ActionQuery("a person walking")).groundings


TRACKER = "trackers/20221127_result_auginput17dim_finethresh_wodist_onefut"


def _iou_xywh(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_tracker_samples_label_the_covering_tracks(shared_data):
    """Positives on a tracker's tracks are exactly the tracks that cover an annotated track
    (IoU >= 0.5) inside its windows for >= 0.5 s, checked frame by frame with a plain loop."""
    from svag.data.mot_seq import find_sequence
    from svag.train.samples import tracker_samples
    from svag.io.mot import read_mot_results
    gt, _ = build_ground_truth(shared_data / "svag/original/MOT17-training.json", shared_data / "mot", "MOT17",
                               videos=["MOT17-09"])
    (v,) = tracker_samples(gt, str(shared_data / "mot"), [str(shared_data / TRACKER)])
    tracks = [t for t in read_mot_results(shared_data / TRACKER / "MOT17-09.txt", num_frames=525).tracks() if len(t)]
    assert v.track_ids == [int(t.track_id) for t in tracks]
    gt_tracks = {int(t.track_id): t for t in find_sequence(shared_data / "mot", "MOT17-09").gt().tracks()}
    queries = {q.text: q for d in gt.datasets for q in d.queries}
    checked = 0
    for text, labels in list(zip(v.texts, v.labels))[:12]:
        q = queries[text]
        expected = set()
        for a in q.tracks:
            g = gt_tracks[int(a.track_id)]
            boxes = dict(zip(g.frames.tolist(), g.boxes))
            in_win = lambda f: any(s <= f <= e for s, e, _ in a.windows)  # noqa: E731
            for row, t in enumerate(tracks):
                n = sum(1 for f, b in zip(t.frames.tolist(), t.boxes)
                        if f in boxes and in_win(f) and _iou_xywh(b, boxes[f]) >= 0.5 - 1e-10)
                if n >= 0.5 * 30:
                    expected.add(row)
        assert set(labels) == expected, text
        for row, y in labels.items():    # step labels only where the track is, inside the windows
            on = v.feats.frames[y > 0]
            assert len(on) and v.feats.mask[row][y > 0].all()
            assert all(any(s <= f <= e for a in q.tracks for s, e, _ in a.windows) for f in on)
        checked += 1
    assert checked >= 5


def test_ranking_loss_by_hand():
    from svag.train.learned import _listwise
    logits = torch.tensor([2.0, 0.0, 1.0, -1.0, 3.0])
    target = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    group = torch.tensor([0, 0, 0, 1, 1])
    # query 0: one positive (e^2) among e^2, e^0, e^1; query 1: every candidate positive -> 0
    expected = (-np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(1))) + 0.0) / 2
    assert float(_listwise(logits, target, group, 2)) == pytest.approx(expected, rel=1e-6)
    # a query without positives is left out of the mean
    assert float(_listwise(logits, torch.tensor([1.0, 0, 0, 0, 0]), group, 2)) == pytest.approx(2 * expected)


def test_ranking_loss_changes_training_deterministically(tiny_samples, tmp_path):
    digests = []
    for i, weight in enumerate((1.0, 1.0, 0.0)):
        net, _ = train(tiny_samples, epochs=1, seed=3, embed=fake_embed, rank_weight=weight)
        digests.append(save_checkpoint(tmp_path / str(i) / "model.pt", net, {"threshold": 0.5}))
    assert digests[0] == digests[1] != digests[2]


def test_train_cli_on_tracker_tracks(shared_data, tmp_path, capsys):
    from svag.cli.main import main
    rows = json.loads((shared_data / "svag/original/MOT17-training.json").read_text())
    ann = tmp_path / "tiny.json"
    ann.write_text(json.dumps([r for r in rows if r["Video"] == "MOT17-09"][:8]))
    out = tmp_path / "t.pt"
    args = ["train", str(ann), "--mot-root", str(shared_data / "mot"), "--dataset", "MOT17", "--out", str(out),
            "--epochs", "1"]
    assert main([*args, "--train-tracks", str(tmp_path)]) == 2      # no result files there
    assert "no tracker result file" in capsys.readouterr().err
    assert main([*args, "--train-tracks", str(shared_data / TRACKER), "--rank-weight", "0.5"]) == 0
    assert "2 track sets" in capsys.readouterr().out
    _, cfg = load_checkpoint(out)
    assert cfg["rank_weight"] == 0.5 and cfg["train_videos"] == ["MOT17-09"]
    assert cfg["training_data"][-1] == {"tracker_tracks": [TRACKER.split("/")[-1]], "videos": ["MOT17-09"]}
