"""MOTChallenge readers and the input checks of the mot protocol: every bad input raises an
InputError that names the file and the line (or frame and id)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svag.core.types import Detections
from svag.errors import InputError
from svag.eval.mot_protocol import (evaluate_mot, find_sequences, find_tracker_files, infer_benchmark,
                                    preprocess_mot)
from svag.eval.sequence import SequenceData
from svag.io import mot
from svag.io.mot import read_mot_det, read_mot_gt, read_mot_results, read_seqinfo

GT9 = "1,1,10,10,20,40,1,1,1.0\n1,2,50,10,20,40,0,7,0.5\n2,1,11,10,20,40,1,1,2.5e-05\n"
TR10 = "1,3,10,10,20,40,0.9,-1,-1,-1\n2,3,11,10,20,40,0.8,-1,-1,-1\n"
SEQINFO = ("[Sequence]\nname={name}\nimDir=img1\nframeRate=30\nseqLength={length}\nimWidth=640\n"
           "imHeight=480\nimExt=.jpg\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def make_seq(root: Path, name: str, gt: str, length: int = 5) -> Path:
    write(root, f"{name}/gt/gt.txt", gt)
    write(root, f"{name}/seqinfo.ini", SEQINFO.format(name=name, length=length))
    return root / name


# ----------------------------------------------------------------------------------------------
# readers


def test_read_gt_nine_columns(tmp_path: Path) -> None:
    d = read_mot_gt(write(tmp_path, "gt.txt", GT9))
    assert d.frames.tolist() == [1, 1, 2]
    assert d.ids.tolist() == [1, 2, 1]
    assert d.classes.tolist() == [1, 7, 1]
    assert d.consider.tolist() == [True, False, True]
    assert d.visibility[2] == pytest.approx(2.5e-05)
    assert d.source == str(tmp_path / "gt.txt")


def test_read_gt_mot15_has_no_classes(tmp_path: Path) -> None:
    d = read_mot_gt(write(tmp_path, "gt.txt", "1,1,10,10,20,40,1,-1,-1,-1\n1,2,5,5,9,9,0,-1,-1,-1\n"))
    assert d.classes is None
    assert d.consider.tolist() == [True, False]
    assert infer_benchmark(d, "TUD-Campus") == "MOT15"


def test_consider_flag_is_read_like_trackeval(tmp_path: Path) -> None:
    # TrackEval reads the flag with int(): 0.5 -> 0 -> ignored
    d = read_mot_gt(write(tmp_path, "gt.txt", "1,1,10,10,20,40,0.5,1,1\n1,2,10,10,20,40,-1,1,1\n"))
    assert d.consider.tolist() == [False, True]


def test_read_results_float_ids_and_separators(tmp_path: Path) -> None:
    text = "1;0.0;1.5;2;3;4;1;-1;-1;-1\r\n\r\n2,7.0,1,2,3,4,1,-1,-1,-1,\r\n"
    d = read_mot_results(write(tmp_path, "r.txt", text))
    assert d.ids.tolist() == [0, 7]
    assert d.boxes[0].tolist() == [1.5, 2, 3, 4]


def test_blank_lines_and_missing_final_newline(tmp_path: Path) -> None:
    d = read_mot_results(write(tmp_path, "r.txt", "\n1,1,1,2,3,4\n\n\n2,1,1,2,3,4"))
    assert d.frames.tolist() == [1, 2]


def test_empty_file(tmp_path: Path) -> None:
    assert len(read_mot_results(write(tmp_path, "r.txt", ""))) == 0
    assert len(read_mot_gt(write(tmp_path, "g.txt", "\n \n"))) == 0


def test_read_det(tmp_path: Path) -> None:
    d = read_mot_det(write(tmp_path, "det.txt", "1,-1,1,2,3,4,0.9\n"))
    assert d.ids.tolist() == [-1] and d.scores.tolist() == [0.9]


@pytest.mark.parametrize("text, line, what", [
    ("1,1,1,2,3,4\n2,1,1,2,3\n", 2, "columns"),                  # ragged
    ("1,1,1,2,3\n", None, "at least 6"),                          # too few columns
    ("1,1,1,2,3,4\n\n\n2,1,1,x,3,4\n", 4, "'x' is not a number"),  # line number counts blank lines
    ("0,1,1,2,3,4\n", 1, "1-based"),                              # frame 0
    ("1,1,1,2,3,4\n1.5,1,1,2,3,4\n", 2, "whole number"),          # fractional frame
    ("1,1,1,2,3,4\n\n2,1,nan,2,3,4\n", 3, "finite"),              # non-finite box
    ("1,1.5,1,2,3,4\n", 1, "track id must be a whole number"),    # fractional id
    ("1,1,1,2,3,4\n2,1,1,2,3,4 # note\n", 2, "is not a number"),    # no comments in MOT files
])
def test_reader_errors_name_file_and_line(tmp_path: Path, text: str, line: int | None, what: str) -> None:
    p = write(tmp_path, "bad.txt", text)
    with pytest.raises(InputError) as exc:
        read_mot_results(p)
    msg = str(exc.value)
    assert str(p) in msg and what in msg
    if line is not None:
        assert f"line {line}" in msg


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_mot_gt(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="found a folder"):
        read_mot_gt(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(b"1,1,1,2,3,4\n\xff\xfe,1\n")
    with pytest.raises(InputError, match="UTF-8") as exc:
        read_mot_results(p)
    assert str(p) in str(exc.value)


def test_seqinfo(tmp_path: Path) -> None:
    seq = make_seq(tmp_path, "MOT17-99", GT9, length=7)
    info = read_seqinfo(seq)
    assert (info.name, info.length, info.width) == ("MOT17-99", 7, 640)
    write(tmp_path, "bad/seqinfo.ini", "[Sequence]\nname=x\n")
    with pytest.raises(InputError, match="seqLength"):
        read_seqinfo(tmp_path / "bad")


finite_floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.integers(-1, 10_000), finite_floats, finite_floats,
                          finite_floats, finite_floats, finite_floats), min_size=1, max_size=30),
       st.sampled_from([",", ";"]), st.booleans())
def test_fast_and_careful_paths_agree(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple],
                                      sep: str, blank: bool) -> None:
    lines = [sep.join(repr(v) for v in r) for r in rows]
    if blank:
        lines.insert(len(lines) // 2, "")
    p = tmp_path_factory.mktemp("t") / "r.txt"
    p.write_text("\n".join(lines) + "\n")
    arr, _ = mot._parse_table(p, 6)
    careful, line_no = mot._careful_table(p)
    assert np.array_equal(arr, careful)
    assert np.array_equal(arr, np.array(rows, dtype=np.float64))
    assert len(line_no) == len(rows)


# ----------------------------------------------------------------------------------------------
# sequence checks


def dets(frames: list[int], ids: list[int], source: str = "file.txt") -> Detections:
    boxes = np.tile([[0.0, 0.0, 10.0, 10.0]], (len(frames), 1)) + np.arange(len(frames))[:, None]
    return Detections(np.array(frames), np.array(ids), boxes, source=source)


def test_duplicate_id_in_a_frame() -> None:
    gt = dets([1, 2, 2], [5, 5, 6], "gt.txt")
    with pytest.raises(InputError) as exc:
        SequenceData.build(gt, dets([1, 3, 3, 3], [1, 2, 4, 2], "trk.txt"), 4)
    e = exc.value
    assert (e.file, e.frame, e.track) == ("trk.txt", 3, 2)
    assert "trk.txt" in str(e) and "frame 3" in str(e) and "id 2" in str(e)
    with pytest.raises(InputError) as exc:
        SequenceData.build(dets([1, 2, 2], [5, 6, 6], "gt.txt"), dets([1], [1]), 4)
    assert (exc.value.file, exc.value.frame, exc.value.track) == ("gt.txt", 2, 6)


def test_box_beyond_sequence_length() -> None:
    with pytest.raises(InputError) as exc:
        SequenceData.build(dets([1, 2], [1, 1], "gt.txt"), dets([1, 9], [1, 1], "trk.txt"), 5)
    assert (exc.value.file, exc.value.frame) == ("trk.txt", 9)
    assert "frames 1..5" in str(exc.value)


def test_non_finite_box() -> None:
    tr = Detections(np.array([1]), np.array([3]), np.array([[0, 0, np.nan, 5.0]]), source="trk.txt")
    with pytest.raises(InputError, match="not finite") as exc:
        SequenceData.build(dets([1], [1]), tr, 2)
    assert (exc.value.frame, exc.value.track) == (1, 3)


def test_unknown_gt_class_named() -> None:
    gt = Detections(np.array([1, 1]), np.array([1, 2]), np.array([[0, 0, 10, 10], [20, 0, 10, 10.0]]),
                    classes=np.array([1, 14]), consider=np.array([True, True]), source="gt.txt")
    with pytest.raises(InputError, match="unknown gt class 14") as exc:
        preprocess_mot(gt, dets([1], [1]), 2, "MOT17")
    assert (exc.value.file, exc.value.frame, exc.value.track) == ("gt.txt", 1, 2)


def test_benchmark_needs_class_column() -> None:
    gt = dets([1], [1], "gt.txt")
    with pytest.raises(InputError, match="class column"):
        preprocess_mot(gt, dets([1], [1]), 2, "MOT17")
    with pytest.raises(InputError, match="unknown benchmark"):
        preprocess_mot(gt, dets([1], [1]), 2, "MOT18")


# ----------------------------------------------------------------------------------------------
# locating sequences and tracker files


def test_tracker_folder_missing_sequences(tmp_path: Path) -> None:
    for name in ("MOT17-01", "MOT17-02", "MOT17-03"):
        make_seq(tmp_path / "gt", name, GT9)
    write(tmp_path, "trk/MOT17-02.txt", TR10)
    with pytest.raises(InputError) as exc:
        evaluate_mot(tmp_path / "gt", tmp_path / "trk")
    msg = str(exc.value)
    assert "MOT17-01.txt" in msg and "MOT17-03.txt" in msg and "MOT17-02.txt missing" not in msg
    assert str(tmp_path / "trk") in msg


def test_one_tracker_file_for_many_sequences(tmp_path: Path) -> None:
    for name in ("MOT17-01", "MOT17-02"):
        make_seq(tmp_path / "gt", name, GT9)
    with pytest.raises(InputError, match="one tracker file given for 2 sequences"):
        evaluate_mot(tmp_path / "gt", write(tmp_path, "t.txt", TR10))


def test_inputs_found_in_every_layout(tmp_path: Path) -> None:
    seq = make_seq(tmp_path / "gt", "MOT17-05", GT9)
    trk = write(tmp_path, "trk/data/MOT17-05.txt", TR10)
    a = evaluate_mot(seq, trk)                           # sequence folder + file
    b = evaluate_mot(seq / "gt" / "gt.txt", trk)         # gt.txt + file
    c = evaluate_mot(tmp_path / "gt", tmp_path / "trk")  # folder of sequences + folder (data/ sub-folder)
    assert a.datasets == b.datasets == c.datasets
    assert list(a.datasets) == ["MOT17-05"] and a.protocol == "mot"
    assert find_tracker_files(tmp_path / "trk", find_sequences(seq)) == {"MOT17-05": trk}
    with pytest.raises(InputError, match="no MOTChallenge sequence"):
        find_sequences(tmp_path / "trk")
    with pytest.raises(InputError, match="not found"):
        evaluate_mot(tmp_path / "nope", trk)
    with pytest.raises(InputError, match="no ground truth for sequence"):
        evaluate_mot(tmp_path / "gt", tmp_path / "trk", sequences=["MOT17-06"])


def test_gt_without_seqinfo_uses_last_frame(tmp_path: Path) -> None:
    gt = write(tmp_path, "seq/gt.txt", GT9)
    res = evaluate_mot(gt, write(tmp_path, "trk.txt", TR10))
    assert res.datasets["gt"]["CLR_Frames"] == 2
    assert any("no seqinfo.ini" in n for n in res.notes)


def test_benchmark_inference_and_override(tmp_path: Path) -> None:
    seq = make_seq(tmp_path, "MOT20-07", GT9)
    trk = write(tmp_path, "MOT20-07.txt", TR10)
    assert "MOT20 for MOT20-07" in " ".join(evaluate_mot(seq, trk).notes)
    res = evaluate_mot(seq, trk, benchmark="mot15")
    assert "MOT15 for MOT20-07" in " ".join(res.notes)
    # MOT15 conventions: no class filter, only consider (the class-7 box has consider 0)
    assert res.datasets["MOT20-07"]["GT_Dets"] == 2
