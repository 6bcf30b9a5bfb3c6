"""Batch runs on Ray: the same bytes as one process, failures reported, a dying actor replaced,
and — under strace — no connection anywhere but loopback and local sockets.

Ray is started once for the module (it takes seconds), always through
:func:`svag.run.ray_session.ray_session`, never a bare ``ray.init()``. CI installs ray (the
Makefile's EXTRAS) and strace (``make test``); neither test is skipped when they are missing."""
from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from batch_data import CORRUPT, VIDEOS, make_synth, reference_run, write_manifest

from svag.pipeline import GroundConfig
from svag.run.batch import run_batch
from svag.run.manifest import read_manifest
from svag.run.pool import RayPool, WorkerDied

SRC = Path(__file__).resolve().parents[1] / "src"
CONFIG = GroundConfig(detector="mot", cache_dir="")


@pytest.fixture(scope="module")
def ray_running() -> Iterator[Any]:
    from svag.run.ray_session import ray_session
    old = os.environ.get("PYTHONPATH")
    # Ray's worker processes import this module's test workers (and svag) by name
    os.environ["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), str(SRC), old or ""])
    try:
        with ray_session(num_cpus=2) as ray:
            yield ray
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synth(tmp_path_factory.mktemp("batch_ray"))


@pytest.fixture(scope="module")
def reference(synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The single-process run of the 8 videos."""
    return reference_run(synth, tmp_path_factory.mktemp("ref"), CONFIG)


def test_ray_corrupt_video_reported_the_others_identical(ray_running: Any, synth: Path, reference: Path,
                                                         tmp_path: Path) -> None:
    items = read_manifest(write_manifest(synth, tmp_path / "bad.txt", corrupt=True))
    summary = run_batch(items, tmp_path / "ray", config=CONFIG, ray=True, workers=2, log=None)
    assert sorted(summary.done) == sorted(it.name for it in items if it.name != CORRUPT)
    assert list(summary.failed) == [CORRUPT] and "cannot open video" in summary.failed[CORRUPT]
    assert CORRUPT in summary.format() and "invalid data" in summary.format().lower()
    for name in summary.done:
        assert (tmp_path / "ray" / "videos" / f"{name}.json").read_bytes() == \
            (reference / "videos" / f"{name}.json").read_bytes()
    ref_q = json.loads((reference / "pred.json").read_text())["datasets"][0]["queries"]
    got_q = json.loads((tmp_path / "ray" / "pred.json").read_text())["datasets"][0]["queries"]
    assert got_q == [q for q in ref_q if q["video_name"] != CORRUPT]


class _DiesOn:
    """Built once per actor; counts the items it handled."""

    def __init__(self, fatal: str) -> None:
        self.fatal, self.calls = fatal, 0

    def process(self, item: str) -> tuple[str, int]:
        if item == self.fatal:
            os._exit(9)
        self.calls += 1
        return item.upper(), self.calls


def test_ray_pool_replaces_a_dead_actor(ray_running: Any) -> None:
    pool = RayPool(functools.partial(_DiesOn, "b"), 2)
    try:
        got = dict(pool.imap_unordered(list("abcde")))
    finally:
        pool.close()
    assert isinstance(got.pop("b"), WorkerDied)
    assert {k: v[0] for k, v in got.items()} == {k: k.upper() for k in "acde"}
    # 4 items on at most 3 actors (2 + the replacement): some worker handled two, built once
    assert max(calls for _, calls in got.values()) >= 2


# -- no traffic off this machine ---------------------------------------------------------------

CONNECT = re.compile(r"connect\(\d+, \{sa_family=(?P<family>AF_\w+)(?P<rest>.*)")
V4 = re.compile(r'sin_port=htons\((?P<port>\d+)\), sin_addr=inet_addr\("(?P<ip>[^"]+)"\)')
V6 = re.compile(r'sin6_port=htons\((?P<port>\d+)\).*inet_pton\(AF_INET6, "(?P<ip>[^"]+)"')
LOCAL_FAMILIES = {"AF_UNIX", "AF_NETLINK", "AF_UNSPEC"}


def off_machine(strace_log: str) -> list[str]:
    """``connect`` calls in an ``strace -f -e trace=connect`` log that may leave this machine:
    anything but unix/netlink sockets and loopback addresses, and any DNS query (port 53) even
    to a loopback resolver."""
    bad = []
    for line in strace_log.splitlines():
        m = CONNECT.search(line)
        if not m:
            continue
        family, rest = m["family"], m["rest"]
        if family in LOCAL_FAMILIES:
            continue
        addr = (V4 if family == "AF_INET" else V6 if family == "AF_INET6" else None)
        a = addr.search(rest) if addr else None
        if a is None:
            bad.append(line.strip())
            continue
        ip = ipaddress.ip_address(a["ip"])
        ip = getattr(ip, "ipv4_mapped", None) or ip
        if not ip.is_loopback or a["port"] == "53":
            bad.append(line.strip())
    return bad


@pytest.mark.parametrize("line, leaves", [
    ('123 connect(7, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("169.254.169.254")}, 16) = -1', True),
    ('connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, 16) = 0', True),
    ('connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0', True),
    ('connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
     'inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1', True),
    ('connect(23, {sa_family=AF_INET, sin_port=htons(33405), sin_addr=inet_addr("192.0.2.2")}, 16) = 0', True),
    ('connect(3, {sa_family=AF_INET, sin_port=htons(6379), sin_addr=inet_addr("127.0.0.1")}, 16) = 0', False),
    ('connect(16, {sa_family=AF_INET6, sin6_port=htons(33405), sin6_flowinfo=htonl(0), '
     'inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS', False),
    ('connect(4, {sa_family=AF_INET6, sin6_port=htons(1), sin6_flowinfo=htonl(0), '
     'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0', False),
    ('connect(5, {sa_family=AF_UNIX, sun_path="/tmp/ray/session/sockets/raylet"}, 110) = 0', False),
])
def test_off_machine_detector(line: str, leaves: bool) -> None:
    assert bool(off_machine(line)) == leaves


def test_ray_batch_byte_identical_and_connects_to_loopback_only(synth: Path, reference: Path,
                                                                 tmp_path: Path) -> None:
    """`svag ground --batch --ray --workers 2` on 8 videos under strace: the prediction is
    byte-identical to the single-process run, and nothing but loopback is reached."""
    strace = shutil.which("strace")
    assert strace, "strace is needed to check Ray's network traffic: `make test` installs it (apt-get install strace)"
    manifest = write_manifest(synth, tmp_path / "m.txt")
    log = tmp_path / "connect.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    env.pop("RAY_ADDRESS", None)
    run = subprocess.run([strace, "-f", "-e", "trace=connect", "-o", str(log), sys.executable, "-m",
                          "svag.cli.main", "ground", "--batch", str(manifest), "--out", str(tmp_path / "out"),
                          "--detector", "mot", "--no-cache", "--ray", "--workers", "2", "--no-progress"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"{VIDEOS} of {VIDEOS} videos done" in run.stdout
    assert (tmp_path / "out" / "pred.json").read_bytes() == (reference / "pred.json").read_bytes()
    text = log.read_text()
    assert text.count("connect(") > 20           # strace saw Ray's processes talk (over loopback)
    assert off_machine(text) == []


def test_bench_run_on_ray_same_as_sequential(ray_running: Any, synth: Path) -> None:
    from svag.bench import run_benchmark
    from svag.io.svag_json import read_svag, svag_to_obj
    gt = read_svag(synth / "gt.json")
    seq = run_benchmark(gt, synth, grounders=["kinematic"])
    on_ray = run_benchmark(gt, synth, grounders=["kinematic"], ray=True, workers=2)
    assert [(r.name, svag_to_obj(r.prediction), r.scores) for r in on_ray] == \
        [(r.name, svag_to_obj(r.prediction), r.scores) for r in seq]


def test_ray_refuses_gpu_stages_without_a_gpu(ray_running: Any) -> None:
    from svag.errors import InputError
    from svag.run.pool import open_pool
    assert ray_running.cluster_resources().get("GPU", 0) == 0   # this test's machine: CPUs only
    with pytest.raises(InputError, match="run on a GPU but the Ray cluster has 0"):
        with open_pool(functools.partial(_DiesOn, "x"), ray=True, num_gpus=1):
            pass
