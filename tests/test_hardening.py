"""Hardening (issue 10): every bad input is one clear error line and a non-zero exit, checked
before the slow work; outputs are atomic (a killed run leaves nothing half-written); memory of
prediction writing is flat in video length; the CLI's help is complete and its examples parse."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from svag.cli.main import build_parser, main
from svag.core.types import Dataset, Query, SvagData, Track
from svag.errors import InputError
from svag.io import atomic
from svag.io.mot import read_mot_results
from svag.io.svag_json import read_svag, svag_to_obj, write_svag
from svag.video.reader import open_video

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """A 2-video synthetic benchmark (MP4 + MOT folders + gt.json), 40 frames of 160x96."""
    out = tmp_path_factory.mktemp("hard") / "syn"
    assert main(["synth", "--out", str(out), "--videos", "2", "--frames", "40", "--size", "160x96",
                 "--no-progress"]) == 0
    return out


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _fails_cleanly(argv: list[str], capsys, pattern: str) -> str:
    """In process: any exception but SystemExit would propagate and fail the test (a traceback)."""
    try:
        code = main(argv)
    except SystemExit as exc:      # argparse usage errors exit 2 with one line on stderr
        code = exc.code
    err = capsys.readouterr().err
    assert code not in (0, None), err
    assert "Traceback" not in err
    assert pattern in err, err
    return err


# -- CLI: the listed tracebacks and silent acceptances ------------------------------------------

def test_ground_duplicate_id_in_a_frame(synth, tmp_path, capsys, shared_data):
    bad = tmp_path / "T.txt"
    bad.write_text("1,1,10,10,20,40,1,-1,-1,-1\n1,1,12,10,20,40,1,-1,-1,-1\n")
    _fails_cleanly(["ground", str(shared_data / "mot" / "MOT17-05"), "--tracks", str(bad), "a person walks"],
                   capsys, "track 1 has two boxes in frame 1")
    tracks = tmp_path / "tracks"
    tracks.mkdir()
    (tracks / "SYNTH-01.txt").write_text(bad.read_text())
    _fails_cleanly(["bench", "run", str(synth / "gt.json"), "--mot-root", str(synth), "--tracks", str(tracks)],
                   capsys, "has two boxes in frame 1")


@pytest.mark.parametrize("flags,pattern", [
    (["--render", "/proc/nope/a.mp4"], "--render: cannot write into"),
    (["--render", "a2.xyz"], "--render: output file name must end in .mp4"),
    (["--out", "same.json", "--render", "same.mp4", "--out", "x.mp4"], "--out: output file name must end in .json"),
    (["--out", ".", "--force"], "--out: output file name must end in .json"),
    (["--resize", "50"], "argument --resize: expected a scale factor"),
    (["--resize", "0"], "argument --resize"),
    (["--resize", "-1"], "argument --resize"),
    (["--stride", "0"], "argument --stride"),
    (["--detector", "nope"], "unknown detector 'nope'"),
    (["--grounder", "nope"], "unknown grounder 'nope'"),
])
def test_ground_bad_arguments_fail_before_work(synth, flags, pattern, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("svag.video.reader.VideoReader.__iter__", _no_decoding)
    _fails_cleanly(["ground", str(synth / "SYNTH-01" / "SYNTH-01.mp4"), "a person walks", *flags], capsys, pattern)
    assert not any(tmp_path.iterdir())        # nothing written, not even --out


def _no_decoding(self):  # noqa: ANN001
    raise AssertionError("decoding started before the arguments were checked")


def test_same_file_for_two_outputs(synth, tmp_path, capsys):
    out = str(tmp_path / "same.json")
    _fails_cleanly(["eval", str(synth / "gt.json"), str(synth / "gt.json"), "--json", out, "--per-query", out],
                   capsys, "--json and --per-query name the same file")
    _fails_cleanly(["ground", str(synth / "SYNTH-01"), "walks", "--tracks", str(synth / "SYNTH-01" / "gt" / "gt.txt"),
                    "--queries", str(synth / "gt.json"), "--out", str(synth / "gt.json"), "--force"],
                   capsys, "--out would overwrite the input --queries")


def test_fps_must_be_positive(shared_data, tmp_path, capsys):
    tracks = tmp_path / "t.txt"
    tracks.write_text("1,1,10,10,20,40,1,-1,-1,-1\n")
    _fails_cleanly(["ground", str(tracks), "--tracks", str(tracks), "walks", "--fps", "-5"], capsys,
                   "argument --fps: expected a number > 0")


def test_eval_outputs_checked_before_scoring(synth, tmp_path, capsys):
    gt = str(synth / "gt.json")
    js = tmp_path / "s.json"
    _fails_cleanly(["eval", gt, gt.replace("gt.json", "gt.json"), "--json", str(js), "--per-query",
                    "/proc/nope/q.csv"], capsys, "--per-query: cannot write into")
    assert not js.exists()
    # missing folders of an output are created
    code, _, err = _run(["eval", gt, _perfect(synth, tmp_path), "--json", str(tmp_path / "new" / "d" / "s.json"),
                         "--quiet"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "new" / "d" / "s.json").read_text())["protocol"] == "svag"


def _perfect(synth: Path, tmp_path: Path) -> str:
    from svag.data.perfect import perfect_prediction
    pred = tmp_path / "perfect.json"
    if not pred.exists():
        write_svag(pred, perfect_prediction(read_svag(synth / "gt.json", "gt")), "pred")
    return str(pred)


def test_ground_truth_given_as_prediction_says_so(synth, capsys):
    gt = str(synth / "gt.json")
    _fails_cleanly(["eval", gt, gt], capsys, "ground-truth windows have no score")


def test_json_given_to_mot_protocol_says_so(synth, capsys):
    _fails_cleanly(["eval", "--protocol", "mot", str(synth / "SYNTH-01"), str(synth / "gt.json")], capsys,
                   "this is a JSON file; expected a MOTChallenge text file")


def test_deep_nesting_and_huge_ints(tmp_path, capsys, synth):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    for argv in (["eval", str(deep), str(deep)], ["data", "list", str(tmp_path)],
                 ["ground", str(synth / "SYNTH-01"), "--queries", str(deep)]):
        code = main(argv)
        err = capsys.readouterr().err
        if argv[0] == "data":       # listing skips what it cannot read
            assert code == 0 and "Traceback" not in err
        else:
            assert code == 2 and "nested too deeply" in err, err
    doc = json.loads((synth / "gt.json").read_text())
    doc["datasets"][0]["queries"][0]["tracks"][0]["spatial"][5] = [10 ** 400, 1, 2, 3]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(doc))
    _fails_cleanly(["eval", str(big), _perfect(synth, tmp_path)], capsys, "out of range")


@pytest.mark.parametrize("box,accepted", [([1, 2, 3, 4], True), ([1.5, 2, 3, 4.25], True), ([True, 2, 3, 4], False),
                                          (["10", 2, 3, 4], False), ([1, 2, -3, 4], False), ([1e300, 2, 3, 4], False),
                                          ([1, 2, 3], False), ([[1, 2], [3, 4]], False), ({"x": 1}, False)])
def test_box_values_are_numbers(box, accepted, tmp_path):
    doc = {"datasets": [{"name": "D", "queries": [{"query_id": 1, "query": "q", "video_name": "v", "video_length": 9,
                                                   "tracks": [{"track_id": 1, "spatial": [None, box],
                                                               "temporal": [[1, 2]]}]}]}]}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc))
    if accepted:
        assert read_svag(path, "gt").datasets[0].queries[0].tracks[0].boxes.tolist() == [[float(v) for v in box]]
    else:
        with pytest.raises(InputError, match=r"query 1, track 1, frame 2: box"):
            read_svag(path, "gt")


def test_query_id_must_be_a_number_and_windows_outside_are_noted(tmp_path):
    from svag.io.svag_json import ReadReport, parse_svag
    q = {"query_id": "7", "query": "q", "video_name": "v", "video_length": 30, "tracks": []}
    with pytest.raises(InputError, match="query_id must be a whole number.*write it without quotes"):
        parse_svag({"queries": [q]}, "gt")
    q.update(query_id=7, tracks=[{"track_id": 1, "spatial": [], "temporal": [[-14, 3], [20, 10 ** 6]]}])
    report = ReadReport()
    parse_svag({"queries": [q]}, "gt", report=report)
    assert report.notes[-1:] == ["2 ground-truth windows reach before frame 1 or past video_length; scored as given "
                            "(as SVAGEval does)"]


def test_mot_tracker_file_checks(tmp_path):
    def read(text: str):  # noqa: ANN202
        p = tmp_path / "r.txt"
        p.write_text(text)
        return read_mot_results(p)
    with pytest.raises(InputError, match="line 2: box width and height .* must not be negative"):
        read("1,1,1,1,5,5,1\n2,1,1,1,-5,5,1\n")
    with pytest.raises(InputError, match="line 1: id or box value out of range"):
        read("1,1,1e300,1,5,5,1\n")
    with pytest.warns(UserWarning, match="6 columns .* every box gets confidence 1"):
        d = read("1,1,1,1,5,5\n")
    assert d.scores is None and len(d) == 1


def test_utf8_bom_is_dropped_from_query_files(synth, tmp_path, capsys):
    q = tmp_path / "q.txt"
    q.write_bytes("\ufeffa person walks\n\n".encode())
    out = tmp_path / "p.json"
    code, _, err = _run(["ground", str(synth / "SYNTH-01"), "--tracks", str(synth / "SYNTH-01" / "gt" / "gt.txt"),
                         "--queries", str(q), "--out", str(out), "--no-progress"], capsys)
    assert code == 0, err
    assert read_svag(out, "pred").datasets[0].queries[0].text == "a person walks"


def test_data_build_with_a_wrong_mot_root(shared_data, tmp_path, capsys):
    _fails_cleanly(["data", "build", str(shared_data / "svag" / "original" / "MOT17-training.json"), "--mot-root",
                    str(shared_data / "trackers"), "--dataset", "MOT17", "--out", str(tmp_path / "gt.json")],
                   capsys, "is this the MOT root?")
    assert not (tmp_path / "gt.json").exists()


@pytest.mark.parametrize("argv", [["synth", "--out", "x", "--seed", "-1"], ["synth", "--out", "x", "--fps", "0"],
                                  ["synth", "--out", "x", "--dataset", "../evil"],
                                  ["synth", "--out", "x", "--det-miss", "2"],
                                  ["demo", "--frames", "0"], ["train", "a.json", "--mot-root", ".", "--dataset", "D",
                                                              "--out", "m.pt", "--epochs", "0"]])
def test_numeric_arguments_are_checked(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _fails_cleanly(argv, capsys, "error: argument")
    assert not any(tmp_path.iterdir())


def test_synth_size_is_checked_before_work(capsys, tmp_path):
    _fails_cleanly(["synth", "--out", str(tmp_path / "x"), "--size", "7x7"], capsys,
                   "size must be even and from 32x32 to 8192x8192")
    assert not any(tmp_path.iterdir())


# -- validate first: empty or missing queries fail at once ------------------------------------

@pytest.mark.parametrize("args,pattern", [(['""'], "empty query"), (["--queries", "missing.txt"], "--queries not found"),
                                          (["--queries", "EMPTY"], "the --queries file has no query")])
def test_empty_or_missing_queries_fail_in_under_a_second(shared_data, tmp_path, args, pattern, capsys, monkeypatch):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    args = [str(empty) if a == "EMPTY" else ("" if a == '""' else a) for a in args]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("svag.video.reader.VideoReader.__iter__", _no_decoding)
    start = time.perf_counter()
    _fails_cleanly(["ground", str(shared_data / "video" / "pets09-s2l1.avi"), *args], capsys, pattern)
    assert time.perf_counter() - start < 1.0


# -- the video reader -----------------------------------------------------------------------------

def test_video_reader_on_broken_files(synth, tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "text.mp4"
    text.write_text("hello, not a video\n")
    for path, pattern in ((empty, "empty file"), (text, "not a video file FFmpeg can read")):
        with pytest.raises(InputError, match=pattern):
            open_video(path)
    good = (synth / "SYNTH-01" / "SYNTH-01.mp4").read_bytes()
    head = tmp_path / "head.mp4"
    head.write_bytes(good[:200])
    with pytest.raises(InputError):
        open_video(head)


def test_truncated_video_reports_its_decoded_length(synth, tmp_path, capsys):
    """A video cut short: the warning comes before the results, and the prediction's video_length
    is what decoded, not the header's length."""
    import av
    path = tmp_path / "v.mp4"
    with av.open(str(path), "w", options={"movflags": "faststart"}) as c:   # header (moov) first
        s = c.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = 160, 96, "yuv420p"
        for f in open_video(synth / "SYNTH-01" / "SYNTH-01.mp4"):
            for packet in s.encode(av.VideoFrame.from_ndarray(f.image[..., ::-1].copy(), format="rgb24")):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    reader = open_video(cut)
    with pytest.warns(UserWarning, match="decoding stopped"):
        n = sum(1 for _ in reader)
    assert reader.info.num_frames is None or n < reader.info.num_frames
    if reader.info.num_frames:
        out = tmp_path / "p.json"
        code, stdout, err = _run(["ground", str(cut), "a person walks", "--out", str(out), "--no-cache",
                                  "--no-progress"], capsys)
        assert code == 0, err
        assert read_svag(out, "pred").datasets[0].queries[0].video_length == reader.truncated_at


def test_frame_folder_of_mixed_sizes(tmp_path):
    import cv2
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, size in enumerate([(64, 48), (64, 48), (32, 24)]):
        cv2.imwrite(str(folder / f"{i:04d}.png"), np.zeros((size[1], size[0], 3), np.uint8))
    reader = open_video(folder)
    with pytest.raises(InputError, match=r"frame 3: frame images differ in size: 0000.png is 64x48, this one 32x24"):
        list(reader)


@pytest.mark.parametrize("ext", ["mkv", "mp4", "avi"])
def test_zero_frame_video(tmp_path, ext):
    import av
    path = tmp_path / f"zero.{ext}"
    c = av.open(str(path), "w")
    s = c.add_stream("mpeg4", rate=25)
    s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
    c.start_encoding()
    c.close()
    assert path.stat().st_size > 0
    with pytest.raises(InputError, match="no decodable frames|no video stream|cannot open video"):
        open_video(path)


# -- atomic outputs -------------------------------------------------------------------------------

def test_atomic_write_and_failure(tmp_path):
    target = tmp_path / "a" / "b.json"
    atomic.write_text(target, "one")
    assert target.read_text() == "one"
    with pytest.raises(RuntimeError):
        with atomic.atomic_open(target, "w") as fh:
            fh.write("two, half")
            raise RuntimeError("stop")
    assert target.read_text() == "one"
    assert [p.name for p in target.parent.iterdir()] == ["b.json"]


def test_atomic_outputs_commit_together(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.csv"
    with pytest.raises(RuntimeError):
        with atomic.atomic_outputs(a, None, b) as (ta, none, tb):
            assert none is None
            ta.write_text("a")
            raise RuntimeError("the second output failed")
    assert list(tmp_path.iterdir()) == []
    with atomic.atomic_outputs(a, b) as (ta, tb):
        ta.write_text("a")
        tb.write_text("b")
    assert a.read_text() == "a" and b.read_text() == "b"


def test_atomic_dir_keeps_named_entries(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    (out / "mine.txt").write_text("mine")
    with atomic.atomic_dir(out, keep=("mine.txt",)) as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (out / "new.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt", "new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


_SLOW_WRITER = """
import sys, time
from svag.io.atomic import atomic_open
with atomic_open(sys.argv[1], "w") as fh:
    for i in range(10000):
        fh.write("x" * 1000 + "\\n"); fh.flush()
        if i == 5:
            print("writing", flush=True)
        time.sleep(0.001)
"""


def test_sigkill_mid_write_leaves_the_old_file_and_no_blocker(tmp_path):
    target = tmp_path / "pred.json"
    target.write_text("previous result")
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)], env=ENV, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "writing"
    temps = [p for p in tmp_path.iterdir() if p.name != "pred.json"]
    assert len(temps) == 1 and temps[0].name.startswith(".pred.json.svagtmp-")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert target.read_text() == "previous result"          # never a half-written file under the name
    atomic.write_text(target, "next run")                   # the next run is not blocked ...
    assert target.read_text() == "next run"
    assert [p.name for p in tmp_path.iterdir()] == ["pred.json"]   # ... and sweeps the dead run's temporary


def test_sigkill_during_synth_leaves_nothing(tmp_path):
    out = tmp_path / "syn"
    cmd = [sys.executable, "-m", "svag.cli.main", "synth", "--out", str(out), "--videos", "3", "--frames", "400",
           "--size", "320x192", "--no-progress"]
    proc = subprocess.Popen(cmd, env=ENV, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(".syn.svagtmp-") and any(p.rglob("*.mp4"))
                                             for p in tmp_path.iterdir()):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    done = subprocess.run(cmd[:-6] + ["1", "--frames", "10", "--size", "64x64", "--no-progress"], env=ENV,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["syn"]
    assert (out / "gt.json").is_file()


def test_failed_render_leaves_no_prediction(synth, tmp_path, capsys, monkeypatch):
    def broken(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise InputError("render failed on purpose")
    monkeypatch.setattr("svag.video.render.render_groundings", broken)
    out, mp4 = tmp_path / "p.json", tmp_path / "r.mp4"
    _fails_cleanly(["ground", str(synth / "SYNTH-01"), "--tracks", str(synth / "SYNTH-01" / "gt" / "gt.txt"),
                    "a person walks", "--out", str(out), "--render", str(mp4), "--no-progress"], capsys,
                   "render failed on purpose")
    assert list(tmp_path.iterdir()) == []


def test_stream_writer_equals_json_dumps(synth, tmp_path):
    gt = read_svag(synth / "gt.json", "gt")
    for kind, name in (("gt", "a.json"), ("pred", "b.json.gz")):
        write_svag(tmp_path / name, gt, kind)
        raw = (tmp_path / name).read_bytes()
        raw = gzip.decompress(raw) if name.endswith(".gz") else raw
        assert raw == json.dumps(svag_to_obj(gt, kind), separators=(",", ":")).encode()


# -- memory flat in video length ------------------------------------------------------------------

def _prediction(frames: int, queries: int = 54, tracks: int = 3) -> SvagData:
    rng = np.random.default_rng(0)
    qs = []
    for q in range(queries):
        ts = []
        for t in range(tracks):
            s = int(rng.integers(1, frames // 2))
            f = np.arange(s, s + 100)
            ts.append(Track(t + 1, f, rng.uniform(0, 500, (len(f), 4)), windows=np.array([[s, s + 99, 0.5]])))
        qs.append(Query(q + 1, f"query {q}", "V", frames, tuple(ts)))
    return SvagData((Dataset("D", tuple(qs)),))


def test_prediction_writing_memory_is_flat_in_video_length(tmp_path):
    """54 queries x 3 tracks of 100 boxes: peak Python memory while writing grows < 2x from
    1,500 to 15,000 frames (the dense spatial lists of the old writer grew ~10x); the file itself
    grows ~10x (one entry per frame and track)."""
    peaks = []
    for frames in (1500, 15000):
        data = _prediction(frames)
        tracemalloc.start()
        write_svag(tmp_path / f"p{frames}.json", data, "pred")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0], peaks
    sizes = [(tmp_path / f"p{n}.json").stat().st_size for n in (1500, 15000)]
    assert sizes[1] > 5 * sizes[0]


# -- eval prints m-HIoU once; help is complete ------------------------------------------------

def test_eval_prints_the_official_m_hiou_once(shared_data, capsys):
    case = shared_data / "svageval-parity" / "edge"
    expected = json.loads((case / "expected.json").read_text())["final"]["m-HIoU"]
    code, out, err = _run(["eval", str(case / "gt.json.gz"), str(case / "pred.json.gz")], capsys)
    assert code == 0, err
    assert out.count("m-HIoU") == 1
    assert out.splitlines()[-1].split()[-1] == f"{expected:.3f}"


def _subparsers(parser):  # noqa: ANN001, ANN202
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from ((f"{name} {n}", s) for n, s in _subparsers(sub))


def test_every_option_has_help():
    missing = []
    for name, sub in _subparsers(build_parser()):
        for action in sub._actions:
            if action.help is None and action.dest != "help" and not action.__class__.__name__.startswith("_Sub"):
                missing.append(f"{name}: {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing


def _examples() -> list[tuple[str, list[str]]]:
    """(command line, argv) of every example in every --help, in order: the top-level help first,
    then each subcommand's."""
    import shlex
    out = []
    texts = [build_parser().epilog] + [sub.epilog for _, sub in _subparsers(build_parser())]
    for text in texts:
        for line in (text or "").replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("svag "):
                out.append((line, shlex.split(line)[1:]))
    return out


OUT_FLAGS = ("--json", "--per-query", "--out", "--render", "--report", "--cv-json")


def test_help_examples_parse_and_name_existing_inputs(shared_data):
    """Every example in --help parses, and every input it names exists from the project folder
    or is written by an example before it."""
    written: set[str] = set()
    for cmd, argv in _examples():
        args = build_parser().parse_args(argv)
        keys = ("gt", "pred", "video", "mot_root", "tracks", "path") + (("queries",) if argv[0] == "ground" else ())
        inputs = [getattr(args, k, None) for k in keys] + list(getattr(args, "annotations", None) or [])
        for value in inputs:
            if isinstance(value, str) and value:
                where = (shared_data.parent / value[len("../shared/"):] if value.startswith("../shared/")
                         else REPO / value)
                assert where.exists() or value.rstrip("/").split("/")[0] in written, \
                    f"{cmd}: {value} does not exist from the project folder"
        written |= {argv[i + 1].rstrip("/") for i, a in enumerate(argv[:-1]) if a in OUT_FLAGS}
        written |= {p.split("/")[0] for p in list(written)}


def _cheap(argv: list[str]) -> bool:
    """Examples run by the test: all but training, the demo, and large or slow ones (the full
    synthetic benchmark, bench runs over MOT17, decoding PETS09, listing the whole data pack)."""
    if argv[0] in ("train", "demo", "bench"):
        return False
    if argv[0] == "synth":
        return "--videos" in argv and int(argv[argv.index("--videos") + 1]) * int(
            argv[argv.index("--frames") + 1]) <= 200
    if argv[0] == "ground":
        return "--tracks" in argv or argv[1].startswith("synth")
    if argv[0] == "data" and argv[1] == "list":
        return argv[2] != "../shared/data"
    if argv[0] == "data" and argv[1] == "build":
        return "--videos" in argv
    if argv[0] == "report":
        return "--baselines" not in argv and "--compare" not in argv    # those read bench outputs
    return True


def test_help_examples_run(tmp_path, shared_data):
    """The cheap examples run, in order, in a project folder with ../shared beside it (what the
    repository checkout has), so chained examples (build then bench) see each other's outputs."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)
    env = {**ENV, "HOME": str(tmp_path)}          # no scene cache in the real home
    ran = []
    for cmd, argv in _examples():
        if not _cheap(argv):
            continue
        extra = ["--no-progress"] if argv[0] in ("ground", "synth") else []
        done = subprocess.run([sys.executable, "-m", "svag.cli.main", *argv, *extra], cwd=proj, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{cmd}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
        ran.append(argv[0])
    assert {"eval", "data", "synth", "ground"} <= set(ran), ran


def test_no_progress_also_silences_model_loading(synth):
    """`--no-progress`: no bar from transformers' weight loading either (the query needs the
    sentence embedder, which prints "Loading weights" through tqdm otherwise)."""
    base = [sys.executable, "-m", "svag.cli.main", "ground", str(synth / "SYNTH-01"), "--tracks",
            str(synth / "SYNTH-01" / "gt" / "gt.txt"), "A pedestrian is following the person in red"]
    loud = subprocess.run(base, env=ENV, capture_output=True, text=True, timeout=300)
    quiet = subprocess.run(base + ["--no-progress"], env=ENV, capture_output=True, text=True, timeout=300)
    assert loud.returncode == quiet.returncode == 0, quiet.stderr
    assert "Loading weights" in loud.stderr
    assert "Loading weights" not in quiet.stderr and "it/s" not in quiet.stderr
