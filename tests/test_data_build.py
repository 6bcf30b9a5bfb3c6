"""`svag data build`: SVAG-Bench raw rows + MOT gt -> SVAG ground truth, on the real annotations
(checked against an independent re-implementation from the raw files) and on hand-made quirks."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from svag.cli.main import main
from svag.data import build_ground_truth, detect_layout, perfect_prediction, read_rows
from svag.data.svag_bench import split_blocks
from svag.errors import InputError
from svag.io.svag_json import read_svag, svag_to_obj, write_svag

MOT17_ORIG = "svag/original/MOT17-training.json"
MOT17_REPH = "svag/rephrased_with_qid/MOT17-training-doubled_qid.json"
MOT20_ORIG = "svag/original/MOT20-training.json"


# ---------------------------------------------------------------- independent reference -----------

def _reference(rows_path: Path, mot_root: Path, videos: set[str] | None = None) -> dict:
    """{(video, text): {id: (windows, {frame: box})}} straight from the JSON rows and gt.txt."""
    rows = json.loads(rows_path.read_text())
    gt_cache: dict[str, dict[int, dict[int, list[float]]]] = {}
    out: dict = {}
    for r in rows:
        v = r["Video"]
        if videos is not None and v not in videos:
            continue
        if v not in gt_cache:
            per_id: dict = defaultdict(dict)
            for line in (mot_root / v / "gt" / "gt.txt").read_text().splitlines():
                c = line.split(",")
                per_id[int(c[1])][int(c[0])] = [float(x) for x in c[2:6]]
            gt_cache[v] = per_id
        tid, win = int(r["IDs"]), [int(r["Start"]), int(r["End"])]
        entry = out.setdefault((v, r["Language Query"]), {}).setdefault(tid, ([], {}))
        if win in entry[0]:
            continue
        entry[0].append(win)
        entry[1].update({f: b for f, b in gt_cache[v][tid].items() if win[0] <= f <= win[1]})
    return out


def _assert_same(data, ref: dict) -> None:
    got = {(q.video_name, q.text): q for q in data.datasets[0]}
    assert set(got) == set(ref)
    for key, q in got.items():
        assert [t.track_id for t in q.tracks] == list(ref[key])
        for t in q.tracks:
            wins, boxes = ref[key][t.track_id]
            assert t.windows[:, :2].tolist() == wins
            assert t.frames.tolist() == sorted(boxes)
            assert np.array_equal(t.boxes, np.array([boxes[f] for f in sorted(boxes)]).reshape(-1, 4))


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    """Both MOT17 files built and written once; read back through the official-format reader."""
    out = {}
    tmp = tmp_path_factory.mktemp("build")
    for name, rel in (("original", MOT17_ORIG), ("rephrased", MOT17_REPH)):
        data, report = build_ground_truth(shared_data / rel, shared_data / "mot", "MOT17")
        path = tmp / f"{name}.json"
        write_svag(path, data, "gt")
        out[name] = (data, report, read_svag(path))
    return out


# ---------------------------------------------------------------- real annotations -----------------

@pytest.mark.parametrize("name, rel", [("original", MOT17_ORIG), ("rephrased", MOT17_REPH)])
def test_agrees_with_raw_rows_and_mot_boxes(built, shared_data, name, rel):
    _, _, back = built[name]
    _assert_same(back, _reference(shared_data / rel, shared_data / "mot"))


@pytest.mark.parametrize("name, video, rows, queries, tracks", [
    # rows used per video (README: 58/227/75/113/95 rows; 4 exact repeats in MOT17-09 are kept once)
    ("original", "MOT17-02", 58, 41, 57),
    ("original", "MOT17-04", 227, 56, 224),
    ("original", "MOT17-05", 75, 44, 75),
    ("original", "MOT17-09", 109, 35, 107),
    ("original", "MOT17-10", 95, 71, 91),
    ("rephrased", "MOT17-02", 111, 79, 109),
    ("rephrased", "MOT17-04", 453, 111, 447),
    ("rephrased", "MOT17-05", 149, 87, 149),
    ("rephrased", "MOT17-09", 212, 66, 208),
    ("rephrased", "MOT17-10", 192, 144, 184),
])
def test_counts_per_video(built, name, video, rows, queries, tracks):
    _, report, back = built[name]
    stats = report.videos[video]
    assert (stats["rows"], stats["queries"], stats["tracks"]) == (rows, queries, tracks)
    assert sum(q.video_name == video for q in back.datasets[0]) == queries


def test_documented_quirks_are_reported(built, shared_data):
    _, orig, _ = built["original"]
    _, reph, _ = built["rephrased"]
    # README: the original file's 568 rows hold 248 (Video, QID, text) keys; QIDs 145 and 146 of
    # MOT17-09 carry the same text and rows, so there are 247 (Video, text) queries
    assert (orig.rows_read, orig.rows_used, orig.totals["queries"]) == (568, 564, 247)
    assert orig.counts["duplicate_row"] == 4 and orig.counts["text_several_qids"] == 1
    assert orig.counts["qid_several_texts"] == 1                 # MOT17-02 QID 35: two wordings
    assert (reph.rows_read, reph.totals["queries"], reph.counts["duplicate_row"]) == (1125, 487, 8)
    assert dict(reph.query_kinds) == {"original": 247, "rephrased": 240}
    # README: of the 883 rows of MOT17 original + MOT20-01 original, 72 reference non-class-1
    # tracks (static person 29, distractor 22, person on vehicle 14, bicycle 7) and 49 have a
    # window beyond the track's gt frames
    _, mot20 = build_ground_truth(shared_data / MOT20_ORIG, shared_data / "mot", "MOT20", videos=["MOT20-01"])
    classes = orig.details["non_pedestrian_track"] + mot20.details["non_pedestrian_track"]
    assert dict(classes) == {"static person": 29, "distractor": 22, "person on vehicle": 14, "bicycle": 7}
    assert orig.counts["window_outside_track"] + mot20.counts["window_outside_track"] == 49
    assert mot20.counts["duplicate_row"] == 2 and mot20.rows_selected == 315
    assert not orig.counts["missing_id"] and not orig.counts["empty_window"]


def test_query_and_video_ids(built):
    data, report, _ = built["original"]
    queries = data.datasets[0].queries
    assert [q.query_id for q in queries] == list(range(1, 248))   # original layout: renumbered
    assert {q.video_name: q.video_id for q in queries} == {
        "MOT17-10": 1, "MOT17-02": 2, "MOT17-04": 3, "MOT17-05": 4, "MOT17-09": 5}
    assert report.sources[1]["qids"] == ["1"] and report.sources[1]["rows"] == [1]
    reph = built["rephrased"][0].datasets[0].queries
    rows = read_rows(Path(report.files[0]).parents[1] / "rephrased_with_qid" / Path(MOT17_REPH).name)
    qid_of = {r.key: int(r.qid) for r in rows}
    assert all(q.query_id == qid_of[(q.video_name, q.text)] for q in reph)


def test_layout_and_blocks(shared_data):
    orig, reph = read_rows(shared_data / MOT17_ORIG), read_rows(shared_data / MOT17_REPH)
    assert (detect_layout(orig), detect_layout(reph)) == ("original", "rephrased")
    assert split_blocks(reph) == 568 == len(orig)
    reph20 = read_rows(shared_data / "svag/rephrased_with_qid/MOT20-training-doubled_qid.json")
    assert split_blocks(reph20) == 2275


def test_only_original_or_rephrased(built, shared_data):
    only_orig, rep = build_ground_truth(shared_data / MOT17_REPH, shared_data / "mot", "MOT17", queries="original")
    only_reph, _ = build_ground_truth(shared_data / MOT17_REPH, shared_data / "mot", "MOT17", queries="rephrased")
    full = built["original"][0]
    def key(d):
        return {(q.video_name, q.text): [(t.track_id, t.windows[:, :2].tolist(), len(t)) for t in q.tracks]
                for q in d.datasets[0]}
    assert key(only_orig) == key(full)            # the first block is the original file
    assert len(only_reph.datasets[0]) == 240
    assert not set(key(only_orig)) & set(key(only_reph))
    with pytest.raises(InputError, match="no rephrased queries"):
        build_ground_truth(shared_data / MOT17_ORIG, shared_data / "mot", "MOT17", queries="rephrased")


def test_video_selection_keeps_ids(built, shared_data):
    data, report = build_ground_truth(shared_data / MOT17_ORIG, shared_data / "mot", "MOT17", videos=["MOT17-02"])
    full = {q.query_id: q for q in built["original"][0].datasets[0]}
    assert {q.video_name for q in data.datasets[0]} == {"MOT17-02"}
    assert len(data.datasets[0]) == 41 and list(report.videos) == ["MOT17-02"]
    for q in data.datasets[0]:
        assert q.video_id == 2 and full[q.query_id].text == q.text
    with pytest.raises(InputError, match="did you mean 'MOT17-02'"):
        build_ground_truth(shared_data / MOT17_ORIG, shared_data / "mot", "MOT17", videos=["MOT17-2"])


def test_official_format_round_trip(built):
    data, _, back = built["original"]
    obj = svag_to_obj(back, "gt")
    assert obj == svag_to_obj(data, "gt")
    q = obj["datasets"][0]["queries"][0]
    assert set(q) == {"query_id", "query", "video_id", "video_name", "video_length", "tracks"}
    t = q["tracks"][0]
    assert len(t["spatial"]) == q["video_length"] == 654
    s, e = t["temporal"][0]
    inside = [i + 1 for i, b in enumerate(t["spatial"]) if b is not None]
    assert inside and s <= inside[0] and inside[-1] <= e and all(isinstance(v, int) for v in t["spatial"][s - 1])


def test_strict_turns_problems_into_errors(shared_data):
    with pytest.raises(InputError, match="window_outside_track"):
        build_ground_truth(shared_data / MOT17_ORIG, shared_data / "mot", "MOT17", strict=True)


def test_perfect_prediction_copies_gt(built):
    data = built["original"][0]
    pred = perfect_prediction(data)
    q, p = data.datasets[0].queries[5], pred.datasets[0].queries[5]
    assert (p.query_id, p.text, p.video_length) == (q.query_id, q.text, q.video_length)
    for t, u in zip(q.tracks, p.tracks):
        assert np.array_equal(t.frames, u.frames) and np.array_equal(t.boxes, u.boxes)
        assert u.windows[:, :2].tolist() == t.windows[:, :2].tolist() and np.all(u.windows[:, 2] == 1.0)


# ---------------------------------------------------------------- hand-made quirks -----------------

def _row(video="V1", qid="1", text="a person walks", ids="1", start="1", end="5"):
    return {"Video": video, "QID": qid, "Language Query": text, "Type": "M", "IDs": ids,
            "Start": start, "End": end, "Revision": ""}


@pytest.fixture
def tiny(tmp_path):
    """A 10-frame MOT sequence V1 with id 1 on frames 1-8 (class 1) and id 2 on 3-6 (class 7)."""
    seq = tmp_path / "mot" / "V1"
    (seq / "gt").mkdir(parents=True)
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=V1\nseqLength=10\nimWidth=100\nimHeight=80\n")
    lines = [f"{f},1,{f},2,10,20,1,1,1.0" for f in range(1, 9)] + [f"{f},2,50,5,8,16,0,7,0.5" for f in range(3, 7)]
    (seq / "gt" / "gt.txt").write_text("\n".join(lines) + "\n")
    return tmp_path


def _write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("row, code", [
    (_row(ids="9"), "missing_id"),
    (_row(start=""), "empty_window"),
    (_row(start="x"), "bad_window"),
    (_row(start="6", end="4"), "bad_window"),
    (_row(ids="a"), "bad_ids"),
    (_row(video="V2"), "no_sequence"),
    (_row(start="5", end="9"), "window_outside_track"),
    (_row(start="5", end="12"), "window_past_video"),
])
def test_quirks_counted_and_strict(tiny, row, code):
    rows = _write_rows(tiny / "rows.json", [_row(text="base"), row])
    data, report = build_ground_truth(rows, tiny / "mot", "T")
    assert report.counts[code] == 1 and report.examples[code]
    with pytest.raises(InputError, match=code):
        build_ground_truth(rows, tiny / "mot", "T", strict=True)


def test_several_windows_duplicates_and_notes(tiny):
    rows = _write_rows(tiny / "rows.json", [
        _row(ids="1", start="1", end="2"), _row(ids="1", start="5", end="9"), _row(ids="1", start="1", end="2"),
        _row(ids="1,2", start="3", end="4", text="two"), _row(qid="1", text="other", ids="1")])
    data, report = build_ground_truth(rows, tiny / "mot", "T")
    q = {x.text: x for x in data.datasets[0]}
    t = q["a person walks"].tracks[0]
    assert t.windows[:, :2].tolist() == [[1, 2], [5, 9]]          # window kept as annotated
    assert t.frames.tolist() == [1, 2, 5, 6, 7, 8]                # boxes only where gt has them
    assert [tr.track_id for tr in q["two"].tracks] == [1, 2]      # "1,2" is split into two ids
    assert report.counts["duplicate_row"] == 1 and report.counts["window_outside_track"] == 1
    assert report.details["non_pedestrian_track"] == {"static person": 1}   # noted, not dropped
    assert report.counts["qid_several_texts"] == 1 and report.layout == "original"
    assert [x.query_id for x in data.datasets[0]] == [1, 2, 3]


def test_cli_build_report_and_overwrite(tiny, capsys):
    rows = _write_rows(tiny / "rows.json", [_row(), _row(text="b", ids="2", start="3", end="6")])
    out, rep = tiny / "gt.json", tiny / "report.json"
    args = ["data", "build", str(rows), "--mot-root", str(tiny / "mot"), "--dataset", "T", "--out", str(out),
            "--report", str(rep)]
    assert main(args) == 0
    assert "built: 1 videos, 2 queries, 2 tracks" in capsys.readouterr().err
    assert len(read_svag(out).datasets[0]) == 2
    assert json.loads(rep.read_text())["queries"]["1"]["text"] == "a person walks"
    assert main(args) == 2 and "exists" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0
