"""Fuzzing (issue 10): valid SVAG JSON, MOTChallenge files and videos, mutated structurally
(deleted keys, wrong types, nulls, huge and negative numbers, 10^400, deep nesting, strings for
numbers, booleans, truncation). Property: reading and scoring either succeeds with finite numbers
or raises a clean InputError -- never another exception; through the CLI, exit 0 or 2 with one
error line, never a traceback."""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svag.cli.main import main
from svag.errors import InputError
from svag.eval.mot_protocol import evaluate_mot
from svag.eval.svag_protocol import evaluate_svag
from svag.io.mot import read_mot_gt, read_mot_results
from svag.io.svag_json import read_svag
from svag.video.reader import open_video

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))

DEEP = "__DEEP__"          # replaced by 3,000 nested lists in the serialised text
NASTY = [None, True, False, "10", "", "abc", 10 ** 400, -10 ** 400, 1e308, -1e308, -1, 0, -14, 10 ** 6, 0.5,
         float("nan"), float("inf"), [], {}, [None], [1, 2], [[1, 2, 3, 4]], {"x": 1}, DEEP, "1e400", 2 ** 63]


def _track(tid: int, start: int, n: int, gt: bool) -> dict:
    spatial = [None] * (start - 1) + [[10 + 2 * i, 20, 30, 60] for i in range(n)]
    win = [start, start + n - 1] if gt else [start, start + n - 1, 0.9]
    return {"track_id": tid, "spatial": spatial, "temporal": [win]}


def _doc(gt: bool) -> dict:
    queries = []
    for qid in (1, 2, 3):
        queries.append({"query_id": qid, "query": f"a person walks {qid}", "video_id": 1, "video_name": "V1",
                        "video_length": 20, "tracks": [_track(1, qid, 8, gt), _track(2, 5, 10, gt)]})
    return {"datasets": [{"name": "D", "queries": queries},
                         {"name": "E", "queries": [{**copy.deepcopy(queries[0]), "video_name": "V2"}]}]}


def _paths(doc: object) -> list[tuple]:
    """Every path (tuple of keys / indices) into ``doc``, the root included."""
    out: list[tuple] = [()]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += [(k, *p) for p in _paths(v)]
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:4]):        # long spatial lists: their first entries are enough
            out += [(i, *p) for p in _paths(v)]
    return out


@st.composite
def mutated(draw, gt: bool) -> str:  # noqa: ANN001
    doc = _doc(gt)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if len(paths) < 2:
            break
        path = draw(st.sampled_from(paths[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "wrap", "negate"]))
        if action == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif action == "wrap":
            parent[key] = [parent[key]]
        elif action == "negate" and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            parent[key] = -parent[key] * draw(st.sampled_from([1, 1000, 10 ** 9]))
        else:
            parent[key] = draw(st.sampled_from(NASTY))
    text = json.dumps(doc)
    return text.replace(json.dumps(DEEP), "[" * 3000 + "]" * 3000)


def _finite(result) -> None:  # noqa: ANN001
    for k, v in result.mean.items():
        assert isinstance(v, (int, float)) and math.isfinite(v), (k, v)


def _score(gt_path: Path, pred_path: Path) -> None:
    try:
        gt = read_svag(gt_path, "gt")
        pred = read_svag(pred_path, "pred")
        for protocol in ("svag", "svag-strict"):
            _finite(evaluate_svag(gt, pred, protocol=protocol))
    except InputError:
        pass


@FUZZ
@given(text=mutated(gt=True))
def test_fuzzed_ground_truth(text, tmp_path_factory):
    d = tmp_path_factory.mktemp("fz")
    (d / "gt.json").write_text(text)
    (d / "pred.json").write_text(json.dumps(_doc(gt=False)))
    _score(d / "gt.json", d / "pred.json")


@FUZZ
@given(text=mutated(gt=False))
def test_fuzzed_prediction(text, tmp_path_factory):
    d = tmp_path_factory.mktemp("fz")
    (d / "gt.json").write_text(json.dumps(_doc(gt=True)))
    (d / "pred.json").write_text(text)
    _score(d / "gt.json", d / "pred.json")


def test_the_unmutated_documents_score():
    """The fuzz starts from valid files (else it would test only the first check)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "g.json").write_text(json.dumps(_doc(True)))
        (Path(d) / "p.json").write_text(json.dumps(_doc(False)))
        result = evaluate_svag(read_svag(Path(d) / "g.json", "gt"), read_svag(Path(d) / "p.json", "pred"))
        assert result.mean["HOTA"] == pytest.approx(100.0)


@FEW
@given(text=mutated(gt=False))
def test_fuzzed_prediction_through_the_cli(text, tmp_path_factory, capsys):
    d = tmp_path_factory.mktemp("fz")
    (d / "gt.json").write_text(json.dumps(_doc(gt=True)))
    (d / "pred.json").write_text(text)
    code = main(["eval", str(d / "gt.json"), str(d / "pred.json"), "--json", str(d / "s.json")])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert (code == 0) == (d / "s.json").exists()
    if code == 2:
        assert err.count("error:") == 1 and "Traceback" not in err


# -- MOTChallenge files ---------------------------------------------------------------------------

GT_ROWS = [[f, i, 10 * i + f, 20, 30, 60, 1, 1, 0.9] for f in range(1, 11) for i in (1, 2, 3)]
RES_ROWS = [[f, i, 10 * i + f + 1, 21, 30, 60, 0.8, -1, -1, -1] for f in range(1, 11) for i in (1, 2, 4)]
FIELD = ["", "abc", "nan", "inf", "-inf", "1e400", "-5", "0", "-1", "0.5", "1e300", "true", "10" * 200, "{}",
         "1,2", " ", "\ufeff1", "2147483648", "-0"]


@st.composite
def mutated_table(draw, rows: list[list]) -> str:  # noqa: ANN001
    lines = [[str(v) for v in r] for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["field", "field", "drop_col", "dup_line", "del_line", "add_col", "json",
                                       "blank"]))
        if action == "field":
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i][j] = draw(st.sampled_from(FIELD))
        elif action == "drop_col":
            j = draw(st.integers(0, len(lines[i]) - 1))
            if draw(st.booleans()):
                lines = [ln[:j] + ln[j + 1:] for ln in lines]
            else:
                lines[i] = lines[i][:j] + lines[i][j + 1:]
        elif action == "dup_line":
            lines.insert(i, list(lines[i]))
        elif action == "del_line" and len(lines) > 1:
            lines.pop(i)
        elif action == "add_col":
            lines[i] = lines[i] + ["7"]
        elif action == "json":
            return '{"datasets": []}'
        else:
            lines.insert(i, [""])
    return "\n".join(",".join(ln) for ln in lines) + "\n"


def _mot_case(d: Path, gt_text: str, res_text: str) -> None:
    seq = d / "SEQ-01"
    (seq / "gt").mkdir(parents=True, exist_ok=True)
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=SEQ-01\nseqLength=10\nimWidth=640\nimHeight=480\n"
                                     "frameRate=25\n")
    (seq / "gt" / "gt.txt").write_text(gt_text)
    (d / "SEQ-01.txt").write_text(res_text)
    try:
        read_mot_gt(seq / "gt" / "gt.txt")
        read_mot_results(d / "SEQ-01.txt")
        _finite(evaluate_mot(seq, d / "SEQ-01.txt", benchmark="MOT17"))
    except InputError:
        pass


def _table(rows: list[list]) -> str:
    return "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"


@FUZZ
@given(text=mutated_table(RES_ROWS))
def test_fuzzed_tracker_results(text, tmp_path_factory):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _mot_case(tmp_path_factory.mktemp("mot"), _table(GT_ROWS), text)


@FUZZ
@given(text=mutated_table(GT_ROWS))
def test_fuzzed_mot_ground_truth(text, tmp_path_factory):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _mot_case(tmp_path_factory.mktemp("mot"), text, _table(RES_ROWS))


@FEW
@given(text=mutated_table(RES_ROWS))
def test_fuzzed_tracker_results_through_the_cli(text, tmp_path_factory, capsys):
    d = tmp_path_factory.mktemp("mot")
    _mot_case(d, _table(GT_ROWS), _table(RES_ROWS))
    (d / "SEQ-01.txt").write_text(text)
    code = main(["eval", "--protocol", "mot", str(d / "SEQ-01"), str(d / "SEQ-01.txt")])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err


# -- videos ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory) -> bytes:
    from svag.synth import generate_benchmark
    out = tmp_path_factory.mktemp("vid") / "s"
    generate_benchmark(out, videos=1, frames=12, size=(64, 48), seed=2)
    return (out / "SYNTH-1" / "SYNTH-1.mp4").read_bytes() if (out / "SYNTH-1").exists() else \
        (out / "SYNTH-01" / "SYNTH-01.mp4").read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_truncated_or_damaged_videos(clip_bytes, data, tmp_path_factory):
    import warnings
    cut = data.draw(st.integers(0, len(clip_bytes)))
    raw = bytearray(clip_bytes[:cut])
    for _ in range(data.draw(st.integers(0, 3))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("v") / "v.mp4"
    path.write_bytes(bytes(raw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            frames = [f.image.shape for f in open_video(path)]
        except InputError:
            return
    assert frames and len(set(frames)) == 1


@pytest.mark.parametrize("content", [b"", b"\x00" * 100, b"not a video at all\n", b"\x1a\x45\xdf\xa3" + b"\x00" * 60,
                                     np.random.default_rng(0).bytes(5000)])
def test_non_videos(content, tmp_path):
    path = tmp_path / "x.mp4"
    path.write_bytes(content)
    with pytest.raises(InputError):
        list(open_video(path))
