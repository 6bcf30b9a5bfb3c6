"""SVAG JSON reading/writing and the `svag eval` command: formats, bad input, outputs."""
from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from svag.cli.main import main
from svag.errors import InputError
from svag.io.svag_json import ReadReport, parse_svag, read_svag, write_svag


def _query(qid=1, tracks=None, length=10, video="v1", text="a man walks"):
    if tracks is None:
        tracks = [{"track_id": 1, "spatial": [[1, 2, 3, 4]] * 5 + [None] * (length - 5), "temporal": [[1, 5]]}]
    return {"query_id": qid, "query": text, "video_id": 1, "video_name": video, "video_length": length,
            "tracks": tracks}


def _doc(*queries, name="SYN"):
    return {"datasets": [{"name": name, "queries": list(queries)}]}


def _pred_of(doc):
    out = copy.deepcopy(doc)
    for d in out["datasets"]:
        for q in d["queries"]:
            for t in q["tracks"]:
                t["temporal"] = [[s - 1, e, 0.9] for s, e in t["temporal"]]
    return out


def test_reads_wrapped_bare_and_gzip(tmp_path: Path, shared_data: Path):
    doc = _doc(_query())
    wrapped = parse_svag(doc)
    assert wrapped.names() == ["SYN"] and len(wrapped.datasets[0]) == 1
    bare = parse_svag(doc["datasets"][0])
    assert bare.names() == ["SYN"]
    gz = tmp_path / "gt.json.gz"
    gz.write_bytes(gzip.compress(json.dumps(doc).encode()))
    assert read_svag(gz).datasets[0].queries[0].tracks[0].span == (1, 5)
    # the official OVIS ground truth has no "datasets" wrapper and no name
    report = ReadReport()
    ovis = read_svag(shared_data / "svag" / "official_gt" / "ovis_valid_ground_truth.json", "gt", report=report)
    ds = ovis.datasets[0]
    assert len(ds) == 879
    assert sum(len(q.tracks) for q in ds) == 1275
    assert sum(len(t.windows) for q in ds for t in q.tracks) == 1333
    assert len({q.video_name for q in ds}) == 137
    assert report.notes  # the missing name is reported
    assert report.zero_area_boxes["gt"] > 0  # real degenerate boxes: accepted, counted


def test_round_trip_preserves_everything(tmp_path: Path, shared_data: Path):
    src = read_svag(shared_data / "svageval-parity" / "edge" / "pred.json.gz", "pred")
    out = tmp_path / "pred.json"
    write_svag(out, src, "pred")
    back = read_svag(out, "pred")
    for d1, d2 in zip(src, back):
        for q1, q2 in zip(d1, d2):
            assert (q1.query_id, q1.text, q1.video_name, q1.video_length) == (q2.query_id, q2.text, q2.video_name,
                                                                              q2.video_length)
            for t1, t2 in zip(q1.tracks, q2.tracks):
                assert t1.track_id == t2.track_id
                np.testing.assert_array_equal(t1.frames, t2.frames)
                np.testing.assert_array_equal(t1.boxes, t2.boxes)
                np.testing.assert_array_equal(t1.windows, t2.windows)
    with pytest.raises(InputError, match="exists"):
        write_svag(out, src, "pred")


BAD_GT = [
    ("spatial longer than video", _doc(_query(tracks=[{"track_id": 1, "spatial": [[1, 2, 3, 4]] * 12,
                                                       "temporal": [[1, 5]]}])),
     r"query 1, track 1, frame 11: .*video_length is 10"),
    ("NaN box", _doc(_query(tracks=[{"track_id": 1, "spatial": [[1, 2, 3, 4], [1, float("nan"), 3, 4]],
                                     "temporal": [[1, 2]]}])),
     r"track 1, frame 2: box .* finite"),
    ("negative width", _doc(_query(tracks=[{"track_id": 1, "spatial": [[1, 2, -3, 4]], "temporal": [[1, 1]]}])),
     r"track 1, frame 1: box .* non-negative width"),
    ("box with 3 numbers", _doc(_query(tracks=[{"track_id": 1, "spatial": [None, [1, 2, 3]], "temporal": []}])),
     r"track 1, frame 2: box must be \[x, y, w, h\]"),
    ("duplicate track ids", _doc(_query(tracks=[{"track_id": 4, "spatial": [], "temporal": []},
                                                {"track_id": 4, "spatial": [], "temporal": []}])),
     r"query 1, track 4: duplicate track_id"),
    ("duplicate query ids", _doc(_query(qid=3), _query(qid=3, text="other")), r"query 3: duplicate query_id"),
    ("window start > end", _doc(_query(tracks=[{"track_id": 1, "spatial": [], "temporal": [[8, 2]]}])),
     r"track 1: temporal window 0 has start > end"),
    ("bad video_length", _doc(_query(length=0)), r"query 1: video_length must be a positive whole number"),
    ("no datasets or queries", {"foo": 1}, r'expected an object with "datasets"'),
]


@pytest.mark.parametrize("name,doc,pattern", BAD_GT, ids=[c[0] for c in BAD_GT])
def test_bad_ground_truth_is_a_clear_error(name, doc, pattern, tmp_path: Path):
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=pattern) as err:
        read_svag(path, "gt")
    assert str(path) in str(err.value)
    assert "dataset 'SYN'" in str(err.value) or "datasets" in pattern


def test_prediction_windows_need_scores(tmp_path: Path):
    doc = _doc(_query())  # windows are [s, e]: fine for ground truth, not for predictions
    with pytest.raises(InputError, match=r"track 1: temporal window 0 must be \[start, end, score\]"):
        parse_svag(doc, "pred", source="pred.json")


def test_null_temporal_entries_mean_no_window():
    doc = _pred_of(_doc(_query()))
    doc["datasets"][0]["queries"][0]["tracks"][0]["temporal"] = [None, [0, 5, 0.5]]
    report = ReadReport()
    data = parse_svag(doc, "pred", report=report)
    assert report.null_windows == 1
    assert data.datasets[0].queries[0].tracks[0].windows.tolist() == [[0, 5, 0.5]]
    doc["datasets"][0]["queries"][0]["tracks"][0]["temporal"] = None
    assert parse_svag(doc, "pred", report=report).datasets[0].queries[0].tracks[0].windows.shape == (0, 3)
    assert report.null_windows == 2


def _write(tmp_path: Path, gt: dict, pred: dict) -> tuple[str, str]:
    g, p = tmp_path / "gt.json", tmp_path / "pred.json"
    g.write_text(json.dumps(gt))
    p.write_text(json.dumps(pred))
    return str(g), str(p)


def test_cli_bad_input_exit_code_and_message(tmp_path: Path, capsys):
    g, p = _write(tmp_path, _doc(_query()), _pred_of(_doc(_query(qid=1, length=12))))
    assert main(["eval", g, p]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "svag eval: error:" in err and "query 1" in err and "video_length" in err
    (tmp_path / "broken.json").write_text('{"datasets": [')
    assert main(["eval", g, str(tmp_path / "broken.json")]) == 2
    assert "malformed JSON" in capsys.readouterr().err


def test_cli_dataset_mismatches(tmp_path: Path, capsys):
    gt = {"datasets": [{"name": "A", "queries": [_query()]}, {"name": "B", "queries": [_query()]}]}
    pred = _pred_of({"datasets": [{"name": "A", "queries": [_query()]}, {"name": "C", "queries": [_query()]}]})
    g, p = _write(tmp_path, gt, pred)
    assert main(["eval", g, p]) == 2
    assert "dataset(s) ['C'] that the ground truth" in capsys.readouterr().err
    pred = _pred_of({"datasets": [{"name": "A", "queries": [_query()]}]})
    g, p = _write(tmp_path, gt, pred)
    assert main(["eval", g, p]) == 2
    assert "no dataset ['B']" in capsys.readouterr().err
    assert main(["eval", g, p, "--datasets", "A", "--quiet"]) == 0


def test_cli_missing_and_extra_queries_are_notes(tmp_path: Path, capsys):
    gt = _doc(_query(qid=1), _query(qid=2, video="v2"))
    pred = _pred_of(_doc(_query(qid=1), _query(qid=77)))
    g, p = _write(tmp_path, gt, pred)
    out = tmp_path / "scores.json"
    assert main(["eval", g, p, "--protocol", "svag-strict", "--json", str(out), "--per-query",
                 str(tmp_path / "q.csv")]) == 0
    err = capsys.readouterr().err
    assert "1 ground-truth queries have no prediction entry" in err
    assert "1 predicted queries are not in the ground truth" in err
    scores = json.loads(out.read_text())
    assert scores["datasets"]["SYN"]["DetRe"] == pytest.approx(50.0)
    assert set(scores["mean"]) >= {"HOTA", "DetA", "AssA", "mIoU", "R1@0.5", "m-HIoU", "mAP"}
    assert (tmp_path / "q.csv").read_text().count("\n") == 3  # header + 2 queries
    # outputs are never overwritten without --force
    assert main(["eval", g, p, "--json", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["eval", g, p, "--json", str(out), "--force", "--quiet"]) == 0


def test_cli_prints_official_table(shared_data: Path, capsys):
    base = shared_data / "svageval-parity" / "edge"
    assert main(["eval", str(base / "gt.json.gz"), str(base / "pred.json.gz")]) == 0
    out = capsys.readouterr().out
    expected = json.loads((base / "expected.json").read_text())["final"]
    mean_row = [ln for ln in out.splitlines() if ln.startswith("mean")][0]
    assert f"{expected['HOTA']:.3f}" in mean_row and f"{expected['m-HIoU']:.3f}" in mean_row
