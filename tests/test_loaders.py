"""Loaders into the core types (SVAG JSON, MOTChallenge, SVAG-Bench rows, HC-STVG, VidSTG) and the
folder catalog behind `svag data list`."""
from __future__ import annotations

import json

import numpy as np
import pytest

from svag.cli.main import main
from svag.core.types import SvagData
from svag.data import (MotSequence, catalog, detect_kind, find_sequence, format_catalog, list_mot_sequences, load,
                       load_mot_sequence, read_hcstvg, read_rows, read_tracker_folder, read_vidstg)
from svag.errors import InputError
from svag.io.svag_json import ReadReport

# ---------------------------------------------------------------- MOTChallenge ---------------------


def test_mot_sequence(shared_data):
    seq = load_mot_sequence(shared_data / "mot" / "MOT17-02")
    assert seq.length() == 600 and seq.info().width == 1920
    gt = seq.gt()
    assert (len(gt), len(np.unique(gt.ids)), gt.num_frames) == (30003, 83, 600)
    assert len(seq.det()) == 8186
    with pytest.raises(InputError, match="no det/det.txt"):
        load_mot_sequence(shared_data / "mot" / "MOT17-05").det()


def test_mot_lookup_and_listing(shared_data):
    seqs = list_mot_sequences(shared_data / "mot")
    assert [s.name for s in seqs][:3] == ["MOT17-02", "MOT17-04", "MOT17-05"] and len(seqs) == 11
    mini = find_sequence(shared_data / "video" / "mot17-mini", "MOT17-02")   # folder is MOT17-02-FRCNN
    assert isinstance(mini, MotSequence) and mini.path.name == "MOT17-02-FRCNN" and mini.name == "MOT17-02"
    assert find_sequence(shared_data / "mot", "MOT17-99") is None


def test_tracker_folder(shared_data):
    res = read_tracker_folder(shared_data / "trackers" / "20221127_result_auginput17dim_finethresh_wodist_onefut")
    assert sorted(res) == ["MOT17-02", "MOT17-04", "MOT17-05", "MOT17-09", "MOT17-10", "MOT17-11", "MOT17-13"]
    mpn = read_tracker_folder(shared_data / "trackers" / "MPNTrack")["MOT20-01"]
    assert np.count_nonzero(mpn.ids == 0) == 238                    # float ids, id 0 (README)


def test_svag_bench_rows(shared_data):
    rows = read_rows(shared_data / "svag" / "original" / "MOT17-training.json")
    assert len(rows) == 568 and rows[0].video == "MOT17-10" and rows[0].ids == (7,)
    assert (rows[0].start, rows[0].end, rows[0].qid) == (349, 410, "1")
    assert {r.type for r in rows} == {"M", "O"}                     # "M " / "O " stripped


@pytest.mark.parametrize("obj, message", [
    ({"Video": "x"}, "JSON list"),
    ([{"Video": "V", "Language Query": "q"}], "lacks 'IDs', 'Start', 'End'"),
    ([{"Video": "V", "Language Query": "", "IDs": "1", "Start": "1", "End": "2"}], "non-empty string"),
])
def test_svag_bench_rows_errors(tmp_path, obj, message):
    p = tmp_path / "rows.json"
    p.write_text(json.dumps(obj))
    with pytest.raises(InputError, match=message):
        read_rows(p)


# ---------------------------------------------------------------- STVG -----------------------------

HCSTVG_V2 = {
    "3_abc.mp4": {"img_num": 50, "img_size": [96, 128], "st_frame": 10, "ed_frame": 12, "st_time": 0.4,
                  "ed_time": 0.5, "English": "The man in black turns and walks away.",
                  "bbox": [[1, 2, 10, 20], [2, 2, 10, 20], [3, 2, 10, 0]]},
    "4_def.mp4": {"img_num": 8, "img_size": [96, 128], "st_frame": 7, "ed_frame": 9, "st_time": 0.1,
                  "ed_time": 0.3, "English": "A woman sits down.", "bbox": [[5, 5, 4, 4], [5, 5, 4, 4], [5, 5, 4, 4]]},
}


def test_hcstvg_v2(tmp_path):
    p = tmp_path / "hcstvg.json"
    p.write_text(json.dumps(HCSTVG_V2))
    report = ReadReport()
    data = read_hcstvg(p, report=report)
    assert detect_kind(p) == "hcstvg"
    q1, q2 = data.datasets[0].queries
    assert (q1.query_id, q1.video_name, q1.video_length, q1.video_id) == (1, "3_abc", 50, 1)
    (t,) = q1.tracks
    assert t.frames.tolist() == [10, 11]                 # frame 12 has a zero-height box: dropped
    assert t.windows[:, :2].tolist() == [[10, 12]]      # span = st_frame .. st_frame + len(bbox) - 1
    assert t.boxes[1].tolist() == [2, 2, 10, 20]
    assert q2.tracks[0].frames.tolist() == [7, 8]        # frame 9 is past img_num = 8
    assert any("dropped 1 boxes: outside the video" in n for n in report.notes)


def test_hcstvg_v1_and_preprocessed(tmp_path):
    v1 = {"a.mp4": {"img_num": 30, "width": 64, "height": 48, "st_frame": 3, "bbox": [[0, 0, 5, 5]] * 4,
                    "st_time": 0.0, "ed_time": 1.0, "caption": "a man waves", "ed_frame": 9}}
    report = ReadReport()
    from svag.data.stvg import parse_hcstvg
    d = parse_hcstvg(v1, report=report)
    assert d.datasets[0].queries[0].tracks[0].windows[:, :2].tolist() == [[3, 6]]
    assert any("ed_frame" in n for n in report.notes)
    pre = [{"original_video_id": "a", "frame_count": 30, "tube_start_frame": 3, "tube_end_frame": 7,
            "trajectory": [[0, 0, 5, 5]] * 4, "caption": "a man waves"}]
    d2 = parse_hcstvg(pre)
    assert d2.datasets[0].queries[0].tracks[0].frames.tolist() == [3, 4, 5, 6]


def _vidstg_record(trajectories=True):
    traj = [[{"tid": 0, "bbox": {"xmin": f, "ymin": 1, "xmax": f + 10, "ymax": 21}},
             {"tid": 1, "bbox": {"xmin": 50, "ymin": 1, "xmax": 60, "ymax": 11}}] for f in range(8)]
    rec = {"vid": "2401075277", "frame_count": 8, "fps": 30, "width": 64, "height": 48,
           "used_segment": {"begin_fid": 0, "end_fid": 8}, "temporal_gt": {"begin_fid": 2, "end_fid": 5},
           "subject/objects": [{"tid": 0, "category": "adult"}, {"tid": 1, "category": "dog"}],
           "captions": [{"target_id": 0, "type": "adult", "description": "an adult walks"}],
           "questions": [{"target_id": 1, "type": "dog", "description": "what is next to the adult?"}]}
    if trajectories:
        rec["trajectories"] = traj
    return rec, {"2401075277": {"trajectories": traj}}


def test_vidstg_inline_and_vidor(tmp_path):
    rec, vidor = _vidstg_record()
    p = tmp_path / "vidstg.json"
    p.write_text(json.dumps([rec]))
    assert detect_kind(p) == "vidstg"
    data = read_vidstg(p)
    cap, q = data.datasets[0].queries
    assert (cap.text, q.text) == ("an adult walks", "what is next to the adult?")
    t = cap.tracks[0]
    assert t.track_id == 0 and t.windows[:, :2].tolist() == [[3, 5]]    # fids 2..4 -> frames 3..5
    assert t.frames.tolist() == [3, 4, 5] and t.boxes[0].tolist() == [2, 1, 10, 20]
    assert q.tracks[0].track_id == 1 and len(q.tracks[0]) == 3
    inclusive = read_vidstg(p, end_exclusive=False).datasets[0].queries[0].tracks[0]
    assert inclusive.windows[:, :2].tolist() == [[3, 6]]
    # trajectories from VidOR annotations, as a mapping or a folder of <vid>.json
    rec2, vidor = _vidstg_record(trajectories=False)
    p.write_text(json.dumps(rec2))
    assert read_vidstg(p, vidor=vidor).datasets[0].queries[0].tracks[0].frames.tolist() == [3, 4, 5]
    (tmp_path / "vidor" / "0000").mkdir(parents=True)
    (tmp_path / "vidor" / "0000" / "2401075277.json").write_text(json.dumps(vidor["2401075277"]))
    assert len(read_vidstg(p, vidor=tmp_path / "vidor").datasets[0].queries[1].tracks[0]) == 3
    report = ReadReport()
    read_vidstg(p, report=report)
    assert any("no trajectories" in n for n in report.notes)


# ---------------------------------------------------------------- catalog and load() ---------------


def test_catalog_of_the_data_pack(shared_data):
    entries = {e.name: e for e in catalog(shared_data)}
    e = entries["mot/MOT17-02"]
    assert (e.kind, e.videos, e.tracks, e.frames) == ("mot-sequence", 1, 83, 600)
    e = entries["svag/original/MOT17-training.json"]
    assert (e.kind, e.videos, e.queries) == ("svag-bench", 5, 247)
    e = entries["svag/official_gt/ovis_valid_ground_truth.json"]
    assert (e.kind, e.videos, e.queries, e.tracks) == ("svag-json", 137, 879, 1275)
    e = entries["video/pets09-s2l1.avi"]
    assert (e.kind, e.frames) == ("video", 795)
    assert entries["trackers/MPNTrack"].kind == "mot-results"
    assert "svageval-parity/small/expected.json" not in entries
    table = format_catalog(list(entries.values()))
    assert table.splitlines()[0].split() == ["name", "kind", "videos", "queries", "tracks", "frames", "note"]


@pytest.mark.parametrize("rel, kind, loaded", [
    ("svag/official_gt/ovis_valid_ground_truth.json", "svag-json", SvagData),
    ("svag/original/MOT20-training.json", "svag-bench", list),
    ("mot/TUD-Campus", "mot-sequence", MotSequence),
    ("trackers/pymotmetrics_test", "mot-results", dict),
])
def test_load_dispatch(shared_data, rel, kind, loaded):
    assert detect_kind(shared_data / rel) == kind
    assert isinstance(load(shared_data / rel), loaded)


def test_load_errors(shared_data, tmp_path):
    with pytest.raises(InputError, match="not a supported source"):
        load(shared_data / "README.md")
    with pytest.raises(InputError, match="unknown kind"):
        load(shared_data / "mot" / "TUD-Campus", kind="nope")
    with pytest.raises(InputError, match="not found"):
        catalog(tmp_path / "missing")


def test_cli_list(shared_data, capsys, tmp_path):
    assert main(["data", "list", str(shared_data / "mot"), "--json", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out
    assert "MOT20-01" in out and "mot-sequence" in out
    assert len(json.loads((tmp_path / "c.json").read_text())) == 11
