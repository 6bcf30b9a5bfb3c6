"""`svag eval --protocol stvg` and `--protocol mr` on small hand-computed files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from svag.cli.main import main


def test_stvg_protocol_on_hcstvg_ground_truth(tmp_path: Path, capsys):
    # HC-STVG v2: one tube of frames 5..10 (st_frame 5, 6 boxes) on a 20-frame video
    gt = {"v1.mp4": {"img_num": 20, "st_frame": 5, "bbox": [[10, 10, 20, 20]] * 6, "English": "a man walks",
                     "img_size": [100, 200], "st_time": 0.5, "ed_time": 1.0},
          "v2.mp4": {"img_num": 20, "st_frame": 1, "bbox": [[0, 0, 10, 10]] * 4, "English": "a dog sits",
                     "img_size": [100, 200], "st_time": 0.0, "ed_time": 0.4}}
    spatial = [None] * 6 + [[10, 10, 20, 20]] * 6 + [None] * 8           # frames 7..12
    pred = {"datasets": [{"name": "HC-STVG", "queries": [
        {"query_id": 1, "query": "a man walks", "video_id": 1, "video_name": "v1", "video_length": 20,
         "tracks": [{"track_id": 1, "spatial": spatial, "temporal": [[7, 12, 0.9]]},
                    {"track_id": 2, "spatial": [[50, 50, 5, 5]] * 20, "temporal": [[1, 20, 0.1]]}]}]}]}
    g, p = tmp_path / "gt.json", tmp_path / "pred.json"
    g.write_text(json.dumps(gt))
    p.write_text(json.dumps(pred))
    out = tmp_path / "s.json"
    assert main(["eval", "--protocol", "stvg", str(g), str(p), "--json", str(out)]) == 0
    res = json.loads(out.read_text())["mean"]
    # v1: spans [5,10] vs [7,12] (best-scored track 1): tIoU = 4 frames / 8 frames = 0.5;
    #     vIoU = (IoU 1 on frames 7..10) / 8 union frames = 0.5.  v2: no prediction -> 0.
    assert res["m_tIoU"] == pytest.approx(25.0)
    assert res["m_vIoU"] == pytest.approx(25.0)
    assert res["vIoU@0.3"] == pytest.approx(50.0) and res["vIoU@0.5"] == pytest.approx(50.0)
    assert res["videos"] == 2
    assert "m_vIoU" in capsys.readouterr().out


def test_moment_retrieval_protocol_on_jsonl(tmp_path: Path):
    g, p = tmp_path / "gt.jsonl", tmp_path / "pred.jsonl"
    g.write_text('{"qid": 1, "relevant_windows": [[0, 10]]}\n{"qid": 2, "relevant_windows": [[20, 30]]}\n')
    p.write_text('{"qid": 1, "pred_relevant_windows": [[0, 5, 0.9], [0, 10, 0.5]]}\n')
    out = tmp_path / "s.json"
    assert main(["eval", "--protocol", "mr", str(g), str(p), "--json", str(out), "--quiet"]) == 0
    res = json.loads(out.read_text())["mean"]
    # q1: R1 reads the first window [0,5] vs [0,10]: IoU 0.5; R5 finds [0,10]: IoU 1. q2: nothing -> 0.
    assert res["mIoU"] == pytest.approx(25.0)
    assert res["R1@0.5"] == pytest.approx(50.0) and res["R1@0.7"] == pytest.approx(0.0)
    assert res["R5@0.7"] == pytest.approx(50.0)
    # AP of q1 at 0.7: sorted by score [0,5] (IoU .5, FP) then [0,10] (TP): precision 1/2 at recall 1
    # -> interpolated AP 0.5; q2: 0 -> mAP@0.7 = 25
    assert res["mAP@0.7"] == pytest.approx(25.0)


def test_moment_retrieval_bad_lines_are_clear_errors(tmp_path: Path, capsys):
    g, p = tmp_path / "gt.jsonl", tmp_path / "pred.jsonl"
    g.write_text('{"qid": 1, "relevant_windows": [[0, 10]]}\n')
    p.write_text('{"qid": 1, "pred_relevant_windows": [[0, 5]]}\n')
    assert main(["eval", "--protocol", "mr", str(g), str(p)]) == 2
    err = capsys.readouterr().err
    assert "pred.jsonl" in err and "line 1" in err and "[start, end, score]" in err
