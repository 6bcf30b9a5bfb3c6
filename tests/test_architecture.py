"""The house's shape: no import cycle between svag's modules, no layer importing a layer above it
(imports read with ``ast`` from every file under src/svag, those inside functions included), and
the extension points (registries, encoders, the scene builder's rules) behaving as documented."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from svag.core.scene import Scene
from svag.core.types import Track
from svag.errors import InputError

SRC = Path(__file__).resolve().parents[1] / "src"

# low -> high; a module may import its own package or any lower layer, never a higher one.
# svag.ground's signal modules (pure NumPy over core types) sit below the encoders that call them.
LAYERS: list[tuple[str, ...]] = [
    ("svag", "svag.errors", "svag.registry"),
    ("svag.core",),
    ("svag.io",),
    ("svag.video",),
    ("svag.detect",),
    ("svag.track",),
    ("svag.data", "svag.eval", "svag.synth", "svag.language"),
    ("svag.ground.features", "svag.ground.camera", "svag.ground.appearance", "svag.ground.learned_data"),
    ("svag.encode",),
    ("svag.ground", "svag.vision"),           # vision: open-vocabulary detectors and image-text grounders
    ("svag.run", "svag.pipeline", "svag.bench"),
    ("svag.train", "svag.report"),
    ("svag.cli",),
]


def _modules(src: Path = SRC, package: str = "svag") -> dict[str, set[str]]:
    """Module -> the package's modules it imports. ``from a.b import c`` counts as an import of the
    module ``a.b.c`` when that module exists (else of ``a.b``): a cycle through a submodule imported
    by name from its package is a cycle."""
    files = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    out: dict[str, set[str]] = {}
    for mod, path in files.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] == package:
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in files)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.split(".")[0] == package)
        out[mod] = deps
    return out


def _layer(mod: str) -> tuple[int, str]:
    """(layer index, the longest matching prefix) of a module."""
    best = (-1, "")
    for i, names in enumerate(LAYERS):
        for n in names:
            if (mod == n or mod.startswith(n + ".")) and len(n) > len(best[1]):
                best = (i, n)
    return best


def test_every_module_has_a_layer():
    assert [m for m in _modules() if _layer(m)[0] < 0] == []


def test_no_layer_imports_a_higher_one():
    bad = []
    for mod, deps in _modules().items():
        lm = _layer(mod)[0]
        for d in deps:
            ld = _layer(d)[0]
            if ld > lm:
                bad.append(f"{mod} (layer {lm}) imports {d} (layer {ld})")
    assert bad == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles = []
    counter = [0]

    def visit(v: str) -> None:            # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_no_import_cycle():
    assert _cycles(_modules()) == []


def test_cycle_check_sees_submodules_imported_from_their_package(tmp_path: Path):
    """The shape that once slipped through: ``from pkg.cli import b`` in a, ``from pkg.cli import a`` in b."""
    cli = tmp_path / "pkg" / "cli"
    cli.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (cli / "__init__.py").write_text("")
    (cli / "a.py").write_text("def f():\n    from pkg.cli import b\n")
    (cli / "b.py").write_text("from pkg.cli import a\n")
    assert _cycles(_modules(tmp_path, "pkg")) == [["pkg.cli.a", "pkg.cli.b"]]


def test_layer_check_catches_a_violation():
    assert _layer("svag.ground.kinematic")[0] > _layer("svag.encode.colour")[0]
    assert _layer("svag.ground.features")[0] < _layer("svag.encode.colour")[0]
    assert _layer("svag.run.bench")[0] > _layer("svag.ground.learned")[0]


# -- extension points ------------------------------------------------------------------------------

def _scene(**kw) -> Scene:  # type: ignore[no-untyped-def]
    big = Track(1, np.arange(1, 41), np.tile([10.0, 10.0, 50.0, 120.0], (40, 1)))
    small = Track(2, np.arange(1, 61), np.tile([300.0, 10.0, 10.0, 20.0], (60, 1)))
    mid = Track(3, np.arange(5, 31), np.tile([200.0, 50.0, 30.0, 60.0], (26, 1)))
    return Scene((big, small, mid), 640, 360, 10.0, 60, **kw)


class _Counting:
    name = "counting"

    def __init__(self, scale: float = 1.0) -> None:
        self.scale, self.calls = scale, 0

    def params(self) -> dict:
        return {"scale": self.scale}

    def encode(self, scene: Scene) -> float:
        self.calls += 1
        return self.scale * len(scene.tracks)


def test_an_encoder_runs_once_per_scene_and_parameters():
    scene = _scene()
    enc = _Counting()
    assert scene.encode(enc) == 3 and scene.encode(enc) == 3 and enc.calls == 1
    other = _Counting(2.0)                    # other parameters: another encoding
    assert scene.encode(other) == 6 and other.calls == 1
    fresh = _Counting()                       # same name and parameters: the stored one
    assert scene.encode(fresh) == 3 and fresh.calls == 0


def test_encodings_are_cached_in_the_scene_folder(tmp_path: Path):
    from svag.encode import build_encoder, encoding
    first = _scene(cache_dir=tmp_path)
    sizes = encoding(first, "box-size")
    np.testing.assert_array_equal(sizes["area"], [50 * 120, 10 * 20, 30 * 60])
    np.testing.assert_array_equal(sizes["height"], [120, 20, 60])
    files = list((tmp_path / "encodings").glob("box-size-*.json"))
    assert len(files) == 1
    second = _scene(cache_dir=tmp_path)       # a new process would read the file, not recompute
    enc = build_encoder("box-size")
    enc.encode = None                         # type: ignore[assignment]  (would fail if called)
    np.testing.assert_array_equal(second.encode(enc)["area"], sizes["area"])


def test_new_grounder_and_encoder_plug_in_by_name():
    """largest-tracks (ground/largest.py) needs box-size (encode/box_size.py): both reached by
    registry name through the pipeline's one grounding loop."""
    from svag.ground import build_grounder
    from svag.run.pipeline import ground_queries
    g = build_grounder("largest-tracks", count=2)
    scene = _scene()
    (res,) = ground_queries(g, scene, ["anything at all"])
    assert [x.track.track_id for x in res.groundings] == [1, 3]                   # the two largest boxes
    assert [x.score for x in res.groundings] == [1.0, (30 * 60) / (50 * 120)]
    np.testing.assert_array_equal(res.groundings[1].windows, [[5, 30, (30 * 60) / (50 * 120)]])
    assert any(k.startswith("box-size-") for k in scene.encodings)


def test_registry_errors():
    from svag.ground import build_grounder
    from svag.registry import build
    with pytest.raises(InputError, match="known grounders: .*kinematic"):
        build_grounder("kinematik")
    with pytest.raises(InputError, match="it takes: .*threshold"):
        build_grounder("kinematic", treshold=0.5)

    class Buggy:
        def __init__(self, x: int = 1) -> None:
            raise TypeError("a bug inside the constructor")
    with pytest.raises(TypeError, match="a bug inside"):       # not disguised as bad input
        build("thing", {"buggy": Buggy}, "buggy", x=2)


def test_fps_rule(tmp_path: Path):
    import cv2

    from svag.run.scene import SceneBuilder, SceneConfig, probe, resolve_fps
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i:04d}.png"), np.zeros((20, 30, 3), np.uint8))
    with pytest.raises(InputError, match="frame rate is unknown.*--fps"):
        probe(folder)
    assert probe(folder, 12.0).fps == 12.0 and (probe(folder, 12.0).width, probe(folder, 12.0).height) == (30, 20)
    with pytest.raises(InputError, match="frame rate is unknown"):
        SceneBuilder(SceneConfig(cache_dir="")).from_video(folder, progress=False)
    assert resolve_fps(None, 29.97, "x") == 29.97 and resolve_fps(10, 29.97, "x") == 10.0
    with pytest.raises(InputError, match="positive"):
        resolve_fps(-1, 25, "x")


def test_frame_source_reads_wanted_frames_in_one_pass(tmp_path: Path):
    import cv2

    from svag.video.frames import VideoFrames
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(6):
        cv2.imwrite(str(folder / f"{i:04d}.png"), np.full((8, 8, 3), 10 * (i + 1), np.uint8))
    got = list(VideoFrames(folder).read([5, 2, 2, 9]))
    assert [i for i, _ in got] == [2, 5]
    assert [int(img[0, 0, 0]) for _, img in got] == [20, 50]


def test_frame_source_on_a_real_video_matches_a_plain_decode(shared_data: Path):
    from svag.video.frames import VideoFrames
    from svag.video.reader import open_video
    video = shared_data / "video" / "pets09-s2l1.avi"
    plain = {}
    for frame in open_video(video):
        if frame.index in (3, 17, 30):
            plain[frame.index] = frame.image
        if frame.index >= 30:
            break
    got = list(VideoFrames(video).read([30, 3, 17]))
    assert [i for i, _ in got] == [3, 17, 30]
    for i, img in got:
        np.testing.assert_array_equal(img, plain[i])


def test_prompts_reach_a_detector_that_takes_them(shared_data: Path, monkeypatch, tmp_path: Path):
    """A detector with set_prompts gets the query texts before the first frame (and they key the
    scene cache); one without it is unaffected."""
    from svag.detect import DETECTORS
    from svag.detect.motion import MotionDetector
    from svag.run.scene import SceneConfig, detector_takes_prompts
    seen = []

    class Prompted(MotionDetector):
        def set_prompts(self, texts: list[str]) -> None:
            seen.append(list(texts))

    monkeypatch.setitem(DETECTORS, "prompted", Prompted)
    assert detector_takes_prompts("prompted") and not detector_takes_prompts("motion")
    video = shared_data / "video" / "pets09-s2l1.avi"
    cfg = SceneConfig(detector="prompted", cache_dir=str(tmp_path))
    assert cfg.cache_key(video, ["a"]) != cfg.cache_key(video, ["b"]) != cfg.cache_key(video)
    from svag.track.pipeline import track_video
    run = track_video(video, Prompted(), max_frames=3, prompts=["a person walks"])
    assert seen == [["a person walks"]] and run.timings.frames == 3


def test_scene_cache_key_covers_constructor_defaults(tmp_path: Path, monkeypatch):
    """A scene cached with a detector's old default is not reused after the default changes."""
    from svag.detect import DETECTORS
    from svag.run.scene import SceneConfig
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x")

    def old(*, threshold: float = 0.5):  # pragma: no cover - never built
        raise AssertionError

    def new(*, threshold: float = 0.6):  # pragma: no cover - never built
        raise AssertionError
    keys = []
    for factory in (old, new, old):
        monkeypatch.setitem(DETECTORS, "fake", factory)
        keys.append(SceneConfig(detector="fake").cache_key(video))
    assert keys[0] != keys[1] and keys[0] == keys[2]
    old.tracker_defaults = {"max_age": 3.0}       # settings the detector gives its tracker count too
    monkeypatch.setitem(DETECTORS, "fake", old)
    assert SceneConfig(detector="fake").cache_key(video) != keys[0]
    monkeypatch.setitem(DETECTORS, "fake", old)
    assert SceneConfig(detector="fake", detector_args={"threshold": 0.6}).cache_key(video) != keys[0]
