"""Batch runs without Ray: manifests, one result per video identical to `svag ground`, the same
merged prediction from one process and from a process pool, failures reported, resume after a
kill, no half-written file after Ctrl-C. (Ray: tests/test_batch_ray.py.)"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_data import CORRUPT, VIDEOS, make_synth, reference_run, write_manifest

from svag.cli.main import main
from svag.errors import InputError
from svag.pipeline import GroundConfig
from svag.io.atomic import TMP_TAG, write_bytes
from svag.run.batch import run_batch
from svag.run.manifest import read_manifest
from svag.run.pool import ProcessPool, WorkerDied

SRC = Path(__file__).resolve().parents[1] / "src"
CONFIG = GroundConfig(detector="mot", cache_dir="")   # the sequences' det.txt: real tracks, fast


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synth(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def reference(synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The single-process run of the 8 videos."""
    return reference_run(synth, tmp_path_factory.mktemp("ref"), CONFIG)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "svag.cli.main", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}


# -- manifests ---------------------------------------------------------------------------------

def test_text_manifest_defaults_fields_and_comments(synth: Path, tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("a person walks to the left\n\na car moves right\n")
    (tmp_path / "m.txt").write_text(
        f"# two videos\nqueries: {synth / 'gt.json'}\n"
        f"{synth / 'SYNTH-01'}\n"
        f"{synth / 'SYNTH-02' / 'SYNTH-02.mp4'}\tq.txt\t{synth / 'SYNTH-02' / 'gt' / 'gt.txt'}   # comment\n"
        f"{synth / 'SYNTH-03'}  -  {synth / 'SYNTH-03' / 'gt' / 'gt.txt'}\n")
    a, b, c = read_manifest(tmp_path / "m.txt")
    gt = json.loads((synth / "gt.json").read_text())["datasets"][0]
    on1 = [q for q in gt["queries"] if q["video_name"] == "SYNTH-01"]
    assert (a.name, a.dataset, a.tracks) == ("SYNTH-01", "SYNTH", None)
    assert [q.query_id for q in a.queries] == [q["query_id"] for q in on1]
    assert [q.video_length for q in a.queries] == [q["video_length"] for q in on1]
    assert b.name == "SYNTH-02" and b.dataset == "custom" and b.tracks.endswith("gt.txt")
    assert [(q.text, q.query_id, q.video_length) for q in b.queries] == [
        ("a person walks to the left", "SYNTH-02/1", 0), ("a car moves right", "SYNTH-02/2", 0)]
    assert c.dataset == "SYNTH" and c.tracks is not None


def test_json_manifest_relative_paths_inline_queries_and_names(synth: Path) -> None:
    path = synth / "m.json"
    path.write_text(json.dumps({"queries": "gt.json", "videos": [
        "SYNTH-01", {"video": "SYNTH-01/SYNTH-01.mp4", "name": "again", "queries": ["someone runs"],
                     "dataset": "mine"}]}))
    a, b = read_manifest(path)
    assert a.video == str(synth / "SYNTH-01") and len(a.queries) > 1
    assert (b.name, b.dataset, [q.query_id for q in b.queries]) == ("again", "mine", ["again/1"])


@pytest.mark.parametrize("body, message", [
    ('{"videos": ["nope.mp4"]}', "video not found"),
    ('{"videos": ["SYNTH-01"]}', "no queries for 'SYNTH-01'"),
    ('{"videos": ["SYNTH-01"], "querys": "gt.json"}', "unknown manifest keys ['querys']"),
    ('{"queries": "gt.json", "videos": ["SYNTH-01", "SYNTH-01"]}', "appears twice"),
    ('{"queries": "gt.json", "videos": ["SYNTH-01", {"video": "SYNTH-02", "name": "x", '
     '"queries": "gt.json"}]}', "no query is on video 'x' (.*bad.json videos[1]; "),
    ('{"queries": "gt.json", "videos": ["SYNTH-01", {"video": "SYNTH-02/SYNTH-02.mp4", "name": "synth-02"}]}',
     None),
    ('{"videos": [{"video": "SYNTH-01", "name": "a/b", "queries": ["x"]}]}', "cannot name an output file"),
    ('[1, 2]', 'object with a "videos" list'),
])
def test_manifest_errors_name_the_entry(synth: Path, body: str, message: str | None) -> None:
    path = synth / "bad.json"
    path.write_text(body)
    if message is None:
        assert len(read_manifest(path)) == 2
        return
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        read_manifest(path)


def test_query_ids_must_stay_unique_across_videos(synth: Path) -> None:
    gt = json.loads((synth / "gt.json").read_text())
    first = next(q for q in gt["datasets"][0]["queries"] if q["video_name"] == "SYNTH-01")
    other = {"datasets": [{"name": "SYNTH", "queries": [{**first, "video_name": "SYNTH-02", "tracks": []}]}]}
    (synth / "other.json").write_text(json.dumps(other))
    path = synth / "dup.json"
    path.write_text(json.dumps({"videos": [{"video": "SYNTH-01", "queries": "gt.json"},
                                           {"video": "SYNTH-02", "queries": "other.json"}]}))
    with pytest.raises(InputError, match=f"query id {first['query_id']!r} is on two videos"):
        read_manifest(path)


# -- same results ------------------------------------------------------------------------------

def test_per_video_result_is_what_svag_ground_writes(synth: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "single.json"
    assert main(["ground", str(synth / "SYNTH-03"), "--detector", "mot", "--queries", str(synth / "gt.json"),
                 "--no-cache", "--no-progress", "--out", str(out)]) == 0
    assert out.read_bytes() == (reference / "videos" / "SYNTH-03.json").read_bytes()


def test_merged_prediction_is_every_video_in_manifest_order(synth: Path, reference: Path) -> None:
    from svag.io.svag_json import read_svag, write_svag
    pred = json.loads((reference / "pred.json").read_text())
    gt = json.loads((synth / "gt.json").read_text())
    assert [q["query_id"] for q in pred["datasets"][0]["queries"]] == [q["query_id"] for q in gt["datasets"][0]["queries"]]
    assert sum(len(q["tracks"]) for q in pred["datasets"][0]["queries"]) > 20    # not a run that found nothing
    again = reference.parent / "rewritten.json"
    write_svag(again, read_svag(reference / "pred.json", "pred"), "pred")
    assert again.read_bytes() == (reference / "pred.json").read_bytes()          # written as write_svag does


def test_process_pool_gives_byte_identical_prediction(synth: Path, reference: Path, tmp_path: Path) -> None:
    summary = run_batch(read_manifest(write_manifest(synth, tmp_path / "m.txt")), tmp_path / "run", config=CONFIG,
                        workers=2, log=None)
    assert summary.ok
    assert (tmp_path / "run" / "pred.json").read_bytes() == (reference / "pred.json").read_bytes()


# -- nothing lost ------------------------------------------------------------------------------

def test_corrupt_video_is_reported_and_the_others_finish(synth: Path, reference: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    manifest = write_manifest(synth, tmp_path / "m.txt", corrupt=True)
    code = main(["ground", "--batch", str(manifest), "--out", str(tmp_path / "run"), "--detector", "mot",
                 "--no-cache"])
    assert code == 1
    printed = capsys.readouterr()
    assert f"{CORRUPT}: " in printed.out and "cannot open video" in printed.out
    assert f"{CORRUPT} FAILED" in printed.err and "failed 1" in printed.err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert (summary["done"], summary["failed"]) == (VIDEOS - 1, 1)
    bad = [v for v in summary["videos"] if v["status"] == "failed"]
    assert [v["name"] for v in bad] == [CORRUPT] and "invalid data" in bad[0]["error"].lower()
    ref = json.loads((reference / "pred.json").read_text())["datasets"][0]["queries"]
    got = json.loads((tmp_path / "run" / "pred.json").read_text())["datasets"][0]["queries"]
    assert got == [q for q in ref if q["video_name"] != CORRUPT]
    assert not (tmp_path / "run" / "videos" / f"{CORRUPT}.json").exists()


class _DiesOn:
    """A worker whose process dies (as under the OOM killer) on one item."""

    def __init__(self, fatal: str) -> None:
        self.fatal = fatal

    def process(self, item: str) -> str:
        if item == self.fatal:
            os._exit(9)
        return item.upper()


def test_process_pool_reports_a_dying_worker_and_keeps_the_others() -> None:
    import functools
    pool = ProcessPool(functools.partial(_DiesOn, "c"), 2)
    try:
        got = dict(pool.imap_unordered(list("abcdef")))
    finally:
        pool.close()
    assert isinstance(got.pop("c"), WorkerDied)
    assert got == {k: k.upper() for k in "abdef"}


def test_finished_videos_are_skipped_and_stale_ones_refused(synth: Path, reference: Path, tmp_path: Path) -> None:
    import shutil
    run = tmp_path / "run"
    shutil.copytree(reference, run)
    items = read_manifest(write_manifest(synth, tmp_path / "m.txt"))
    summary = run_batch(items, run, config=CONFIG, log=None)
    assert (len(summary.skipped), len(summary.done)) == (VIDEOS, 0)
    assert (run / "pred.json").read_bytes() == (reference / "pred.json").read_bytes()
    other = GroundConfig(detector="mot", cache_dir="", grounder_args={"threshold": 0.9})
    with pytest.raises(InputError, match="came from other inputs or settings"):
        run_batch(items, run, config=other, log=None)
    assert run_batch(items, run, config=other, force=True, log=None).done


def test_killed_run_resumes_to_the_same_result(synth: Path, reference: Path, tmp_path: Path) -> None:
    manifest = write_manifest(synth, tmp_path / "m.txt")
    out = tmp_path / "run"
    args = _cli("ground", "--batch", str(manifest), "--out", str(out), "--detector", "mot", "--no-cache")
    proc = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((out / "videos").glob("*.done.json"))) < 3 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    finished = sorted(p.name for p in (out / "videos").glob("*.done.json"))
    assert 3 <= len(finished) < VIDEOS and not (out / "pred.json").exists()
    for f in (out / "videos").glob("*.json"):
        json.loads(f.read_text())               # every visible file is whole
    done = subprocess.run(args, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{len(finished)} done by an earlier run" in done.stderr
    assert (out / "pred.json").read_bytes() == (reference / "pred.json").read_bytes()


def test_ctrl_c_leaves_no_half_written_file(synth: Path, tmp_path: Path) -> None:
    manifest = write_manifest(synth, tmp_path / "m.txt")
    out = tmp_path / "run"
    proc = subprocess.Popen(_cli("ground", "--batch", str(manifest), "--out", str(out), "--detector", "mot",
                                 "--no-cache", "--workers", "2"),
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((out / "videos").glob("*.done.json")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)          # what Ctrl-C in a terminal does: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err
    files = list(out.rglob("*"))
    assert not [f for f in files if TMP_TAG in f.name]
    for f in files:
        if f.suffix == ".json":
            json.loads(f.read_text())


def test_batch_writer_keeps_the_old_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.json"
    path.write_text("old")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(path, b"new")      # what the batch writes its files with
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]


def test_batch_options_are_checked(synth: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    manifest = str(write_manifest(synth, tmp_path / "m.txt"))
    assert main(["ground", "--batch", manifest]) == 2
    assert main(["ground", "--batch", manifest, "--out", str(tmp_path / "o"), "--queries", "q.txt"]) == 2
    assert main(["ground", str(synth / "SYNTH-01"), "x", "--workers", "2"]) == 2
    assert main(["ground"]) == 2
    err = capsys.readouterr().err
    assert "--batch needs --out DIR" in err and "from the manifest" in err and "--batch runs only" in err
    assert "give a VIDEO" in err


def _bench_outputs(runs: list) -> dict:
    from svag.io.svag_json import svag_to_obj
    return {r.name: (svag_to_obj(r.prediction), r.scores) for r in runs}


def test_bench_run_per_video_workers_same_as_sequential(synth: Path) -> None:
    from svag.bench import run_benchmark
    from svag.io.svag_json import read_svag
    gt = read_svag(synth / "gt.json")
    seq = run_benchmark(gt, synth, grounders=["kinematic"])
    par = run_benchmark(gt, synth, grounders=["kinematic"], workers=2)
    assert [r.name for r in par] == [r.name for r in seq] == ["all-tracks", "longest-track", "kinematic"]
    assert _bench_outputs(par) == _bench_outputs(seq)
    assert seq[-1].scores["svag"]["all"]["HOTA"] > 0


def test_bench_run_names_failing_videos(synth: Path, tmp_path: Path) -> None:
    import shutil

    from svag.bench import run_benchmark
    from svag.io.svag_json import read_svag
    root = tmp_path / "mot"
    shutil.copytree(synth, root)
    (root / "SYNTH-02" / "gt" / "gt.txt").write_text("1,1,not,a,box\n")
    with pytest.raises(InputError, match=r"1 of 8 videos failed: SYNTH-02: .*gt.txt"):
        run_benchmark(read_svag(root / "gt.json"), root, workers=2)


@pytest.mark.parametrize("config, gpu", [
    (GroundConfig(), False),
    (GroundConfig(grounder_args={"device": "cpu"}), False),
    (GroundConfig(grounder_args={"device": "cuda:0"}), True),
    (GroundConfig(detector_args={"device": "cuda"}), True),
])
def test_vision_stages_on_cuda_ask_ray_for_a_gpu(config: GroundConfig, gpu: bool) -> None:
    from svag.run.batch import needs_gpu
    assert needs_gpu(config) is gpu
