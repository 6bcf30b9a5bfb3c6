"""evaluate_mot with several worker processes gives what the serial run gives (results, notes,
errors), and the pandas fast reader of large MOT files reads what numpy's loadtxt reads."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from svag.errors import InputError
from svag.eval import mot_protocol
from svag.eval.mot_protocol import evaluate_mot
from svag.io import mot

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
SEQINFO = "[Sequence]\nname={name}\nimDir=img1\nframeRate=30\nseqLength={length}\nimWidth=640\nimHeight=480\n"


def synth(root: Path, n_seq: int = 4, frames: int = 40, seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    for s in range(n_seq):
        name = f"MOT17-{s + 1:02d}"
        gt, tr = [], []
        for obj in range(6):
            x, y = rng.uniform(0, 500, 2)
            cls = 1 if obj < 4 else int(rng.choice([2, 7, 8, 12]))
            for f in range(1, frames + 1):
                x += rng.normal(0, 3)
                gt.append(f"{f},{obj + 1},{x:.2f},{y:.2f},40,90,1,{cls},0.8")
                if rng.random() < 0.9:
                    tid = obj + 1 + 10 * int(f > frames // 2 and obj == 1)
                    tr.append(f"{f},{tid},{x + rng.normal(0, 4):.3f},{y + rng.normal(0, 4):.3f},40,90,1,-1,-1,-1")
        (root / "gt" / name / "gt").mkdir(parents=True)
        (root / "gt" / name / "gt" / "gt.txt").write_text("\n".join(gt) + "\n")
        (root / "gt" / name / "seqinfo.ini").write_text(SEQINFO.format(name=name, length=frames))
        (root / "trk").mkdir(exist_ok=True)
        (root / "trk" / f"{name}.txt").write_text("\n".join(tr) + "\n")
    return root / "gt", root / "trk"


@needs_fork
def test_parallel_equals_serial(tmp_path: Path) -> None:
    gt, trk = synth(tmp_path)
    a = evaluate_mot(gt, trk, workers=1)
    b = evaluate_mot(gt, trk, workers=2)
    c = evaluate_mot(gt, trk, workers=3)
    assert a.datasets == b.datasets == c.datasets
    assert a.mean == b.mean == c.mean
    assert a.per_query == b.per_query and a.notes == b.notes
    assert list(b.datasets) == [f"MOT17-{s:02d}" for s in range(1, 5)]


@needs_fork
def test_parallel_raises_the_serial_error(tmp_path: Path) -> None:
    gt, trk = synth(tmp_path)
    for name in ("MOT17-02", "MOT17-04"):         # two bad sequences: the first one's error wins
        p = trk / f"{name}.txt"
        lines = p.read_text().splitlines()
        lines[3] = lines[3].replace(",", ";x", 1)
        p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as serial:
        evaluate_mot(gt, trk, workers=1)
    with pytest.raises(InputError) as parallel:
        evaluate_mot(gt, trk, workers=2)
    assert type(parallel.value) is type(serial.value)
    assert str(parallel.value) == str(serial.value)
    assert parallel.value.file == serial.value.file and "MOT17-02" in str(parallel.value)


def test_workers_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gt, trk = synth(tmp_path, n_seq=2)
    with pytest.raises(InputError, match="workers"):
        evaluate_mot(gt, trk, workers=0)
    # small inputs: "auto" stays serial
    jobs = [(s, trk / f"{s.name}.txt", None) for s in mot_protocol.find_sequences(gt)]
    assert mot_protocol._worker_count("auto", jobs) == 1
    assert mot_protocol._worker_count(5, jobs) == 2
    monkeypatch.setattr(mot_protocol, "PARALLEL_MIN_BYTES", 0)
    expected = 2 if "fork" in multiprocessing.get_all_start_methods() and (mot_protocol.os.cpu_count() or 1) > 1 else 1
    assert mot_protocol._worker_count("auto", jobs) <= expected
    assert evaluate_mot(gt, trk).datasets == evaluate_mot(gt, trk, workers=1).datasets


@pytest.mark.parametrize("text", [
    "1,2,3.5\n4,5,6e-3\n",
    "1,2,3\r\n4,5,6\r\n\r\n",
    "1,2,758.0250244140625\n\n  \n2,3,-79.35469055175781\n",
    "1,2,0.1000000000000000055511151231257827\n",
])
def test_pandas_reader_matches_loadtxt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    pd = pytest.importorskip("pandas")
    p = tmp_path / "t.txt"
    p.write_text(text)
    arr = mot._pandas_table(pd, p)
    assert arr is not None
    ref = mot._careful_table(p)[0]
    assert arr.dtype == ref.dtype and arr.shape == ref.shape and np.array_equal(arr, ref)


@pytest.mark.parametrize("text", [
    "1,2,3\n4,5\n", "1,2\n3,4,5\n", "1,2,3,\n4,5,6,\n", "\ufeff1,2\n3,4\n", "1,2,nan\n", "1,2,inf\n",
    '1,2,"3"\n', "1;2;3\n", "1,2,3\n4,5,NA\n", "1,2,\n", "",
])
def test_pandas_reader_refuses_what_loadtxt_would_not_read_alike(tmp_path: Path, text: str) -> None:
    pd = pytest.importorskip("pandas")
    p = tmp_path / "t.txt"
    p.write_text(text, encoding="utf-8")
    assert mot._pandas_table(pd, p) is None


def test_large_malformed_file_names_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mot, "_PANDAS_MIN_BYTES", 0)
    rows = [f"{f},1,10,10,20,40,1,-1,-1,-1" for f in range(1, 200)]
    rows[150] = "151,1,10,10,20,x40,1,-1,-1,-1"
    p = tmp_path / "t.txt"
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match="line 151, column 6"):
        mot.read_mot_results(p)
    rows[150] = "151,1,10,10,20,40,1,-1,-1"
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match="line 151 has 9"):
        mot.read_mot_results(p)
