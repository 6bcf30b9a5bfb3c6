"""`svag report`: the page is opened in headless Chromium (Debian's `chromium`, driven by playwright
without a browser download); its DOM must show exactly `svag eval`'s numbers, it must log no
console error, and the benchmark-sized report must open in under 2 s."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from svag.cli.main import main
from svag.report.model import PairInfo, _pairs_for, box_runs, length_bin
from svag.report.page import render_html

CHROMIUM = os.environ.get("SVAG_CHROMIUM", "/usr/bin/chromium")   # `make test` installs Debian's
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KEY_SEP = "\u241f"


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).is_file():
        raise FileNotFoundError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1500, "height": 1100})
        yield ctx
        ctx.close()


class Opened:
    def __init__(self, page, errors, ready_ms, painted_ms):
        self.page, self.errors, self.ready_ms, self.painted_ms = page, errors, ready_ms, painted_ms


def open_report(ctx, path: Path) -> Opened:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.svagReport && window.svagReport.paintedMs !== undefined", timeout=20000)
    return Opened(page, errors, page.evaluate("window.svagReport.readyMs"),
                  page.evaluate("window.svagReport.paintedMs"))


def detail_numbers(page, key: str, protocol: str) -> list[dict]:
    """Select a query and read its numbers and pairs back from the detail pane."""
    return page.evaluate("""([key, protocol]) => {
        const sel = document.getElementById('protocol');
        if (sel.value !== protocol) { sel.value = protocol; sel.dispatchEvent(new Event('change')); }
        if (!window.svagReport.select(key)) return null;
        const out = [];
        for (const tr of document.querySelectorAll('#detail-numbers tr[data-sub]')) {
            const v = {};
            for (const td of tr.querySelectorAll('td[data-key]'))
                v[td.dataset.key] = td.dataset.value === undefined ? td.textContent : td.dataset.value;
            out.push(v);
        }
        const pairs = {};
        document.querySelectorAll('#detail [data-paired]').forEach(t => pairs[t.dataset.paired] = t.textContent.slice(2));
        document.querySelectorAll('#detail [data-unpaired]').forEach(t => pairs[t.dataset.unpaired] = null);
        out.push(pairs);
        return out;
    }""", [key, protocol])


def _num(text: str) -> float | None:
    return None if text in ("", "null") else float(text)


# -- the small parity case: every query and every summary number against `svag eval` ------------


@pytest.fixture(scope="module")
def small_case(shared_data, tmp_path_factory):
    base = shared_data / "svageval-parity" / "small"
    out = tmp_path_factory.mktemp("report-small")
    gt, pred = str(base / "gt.json.gz"), str(base / "pred.json.gz")
    assert main(["report", gt, pred, "--out", str(out / "r.html")]) == 0
    evals = {}
    for protocol in ("svag", "svag-strict"):
        js, rows = out / f"{protocol}.json", out / f"{protocol}.jsonl"
        assert main(["eval", gt, pred, "--protocol", protocol, "--quiet", "--json", str(js),
                     "--per-query", str(rows)]) == 0
        evals[protocol] = (json.loads(js.read_text()), [json.loads(line) for line in rows.read_text().splitlines()])
    return out / "r.html", evals


def test_small_report_every_query_equals_eval_per_query(browser, small_case):
    path, evals = small_case
    opened = open_report(browser, path)
    page = opened.page
    assert page.get_attribute("#count", "data-total") == "60"
    for protocol, (_, rows) in evals.items():
        assert len(rows) == 60
        for row in rows:
            key = f"{row['dataset']}{KEY_SEP}{row['query_id']}"
            got = detail_numbers(page, key, protocol)
            assert got is not None, key
            numbers, pairs = got[0], got[-1]
            for name in ("HOTA", "DetA", "AssA"):
                assert float(numbers[name]) == row[name], (key, name)
            assert _num(numbers["iou"]) == row.get("R1_IoU"), (key, protocol)
            assert numbers["scored"] == ("yes" if row["scored"] else "no")
            expected_pairs = {str(g): (None if v is None else str(v)) for g, v, _ in row["pairs"]}
            assert pairs == expected_pairs, (key, protocol)
    assert opened.errors == []
    page.close()


def test_small_report_summary_equals_eval_json(browser, small_case):
    path, evals = small_case
    opened = open_report(browser, path)
    cells = opened.page.evaluate("""() => Array.from(document.querySelectorAll('.proto-block td[data-key]')).map(td => [
        td.closest('.proto-block').dataset.protocol, td.parentElement.dataset.dataset, td.dataset.key, td.dataset.value])""")
    seen = 0
    for protocol, dataset, key, value in cells:
        scores = evals[protocol][0]
        if protocol == "svag":
            ref = scores["official"]["final"] if dataset == "mean" else scores["official"]["datasets"][dataset]
        else:
            ref = scores["mean"] if dataset == "mean" else scores["datasets"][dataset]
        if key in ref and not (dataset == "mean" and key in ("queries", "scored_queries")):
            assert float(value) == pytest.approx(ref[key], abs=1e-12), (protocol, dataset, key)
            seen += 1
    assert seen >= 2 * 4 * 10
    # counts add up over the datasets in the mean row
    total = opened.page.get_attribute('.proto-block[data-protocol="svag"] tr[data-dataset="mean"] td[data-key="queries"]',
                                      "data-value")
    assert float(total) == 60
    assert opened.errors == []
    opened.page.close()


def test_small_report_breakdown_by_gt_tracks_and_filters(browser, small_case):
    path, evals = small_case
    rows = evals["svag"][1]
    opened = open_report(browser, path)
    page = opened.page
    table = page.evaluate("""() => Array.from(document.querySelectorAll('.bd[data-group="ngt"] tr[data-name]')).map(tr =>
        [tr.dataset.name, ...Array.from(tr.children).slice(1, 4).map(td => td.textContent)])""")
    by_n: dict[str, list] = {}
    for r in rows:
        by_n.setdefault(str(r["gt_tracks"]), []).append(r)
    assert [t[0] for t in table] == sorted(by_n, key=lambda n: np.mean([r["HOTA"] for r in by_n[n]]))   # worst first
    for name, count, hota, miou in table:
        group = by_n[name]
        assert int(count) == len(group)
        assert float(hota) == pytest.approx(np.mean([r["HOTA"] for r in group]), abs=0.005)
        scored = [r["R1_IoU"] for r in group if r["scored"]]
        assert miou == "—" if not scored else float(miou) == pytest.approx(100 * np.mean(scored), abs=0.005)
    # clicking a breakdown row filters the list; the filters compose
    page.click('.bd[data-group="ngt"] tr[data-name="1"]')
    assert int(page.get_attribute("#count", "data-shown")) == len(by_n["1"])
    page.select_option("#filter-only", "unscored")
    assert int(page.get_attribute("#count", "data-shown")) == sum(not r["scored"] for r in by_n["1"])
    assert opened.errors == []
    page.close()


# -- the benchmark-sized case --------------------------------------------------------------------


@pytest.fixture(scope="module")
def full2(shared_data, tmp_path_factory):
    base = shared_data / "svageval-parity" / "full2"
    out = tmp_path_factory.mktemp("report-full2") / "full2.html"
    assert main(["report", str(base / "gt.json.gz"), str(base / "pred.json.gz"), "--out", str(out)]) == 0
    return base, out


def test_full2_opens_under_two_seconds_and_is_virtualised(browser, full2, tmp_path):
    base, path = full2
    opened = open_report(browser, path)
    page = opened.page
    assert opened.painted_ms < 2000, f"opened in {opened.painted_ms:.0f} ms"
    assert page.get_attribute("#count", "data-total") == "1833"
    assert page.locator("#list-body .row.item").count() < 80          # rows are drawn lazily
    page.evaluate("document.getElementById('list-body').scrollTop = 1e9")
    page.wait_for_timeout(100)
    last = page.locator("#list-body .row.item").last.get_attribute("data-key")
    assert last is not None
    page.click('#list-head [data-col="t"]')       # sort by text, then filter
    page.fill("#filter-text", "walks")
    page.wait_for_function("document.getElementById('count').dataset.shown !== '1833'")
    assert 0 < int(page.get_attribute("#count", "data-shown")) < 1833
    busy = page.evaluate("""() => { const d = JSON.parse(document.getElementById('svag-data').textContent);
        const q = d.queries.find(q => q.g.length >= 4 && q.p[0].tr.length >= 4 && q.p[0].svag.pairs.some(p => p !== null));
        window.svagReport.select(q.k); return q.k; }""")
    assert page.locator("#detail .timeline [data-lane]").count() >= 8
    assert page.get_attribute("#detail", "data-key") == busy
    shot = tmp_path / "full2.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert opened.errors == []
    page.close()


def test_full2_known_query_equals_official_toolkit(browser, full2):
    """A one-track query's HOTA (TrackEval's per-sequence table), R1 IoU and pair (the official
    temporal diagnostics), as the page shows them."""
    base, path = full2
    diag = json.loads(gzip.decompress((base / "details" / "temporal_diagnostics.json.gz").read_bytes()))
    name = "MOT17"
    counts: dict = {}
    for p in diag[name]["pairs"]:
        counts[p["qid"]] = counts.get(p["qid"], 0) + 1
    scored = {t["qid"]: t for t in diag[name]["temporal_per_query"]}
    qid = next(q for q in sorted(counts) if counts[q] == 1 and q in scored and scored[q]["R1"]["iou"] > 0)
    pair = next(p for p in diag[name]["pairs"] if p["qid"] == qid)
    opened = open_report(browser, path)
    key = f"{name}{KEY_SEP}{qid}"
    video, query = opened.page.evaluate(f"""() => {{ const q = JSON.parse(document.getElementById('svag-data')
        .textContent).queries.find(q => q.k === {json.dumps(key)}); return [q.v, q.t]; }}""")
    seq = f"{video}+{query.lower().replace(' ', '-')}"
    text = gzip.decompress((base / "details" / f"{name}_pedestrian_detailed.csv.gz").read_bytes()).decode()
    official_hota = 100 * float(next(r for r in csv.DictReader(io.StringIO(text)) if r["seq"] == seq)["HOTA___AUC"])
    got = detail_numbers(opened.page, key, "svag")
    numbers, pairs = got[0], got[-1]
    assert float(numbers["HOTA"]) == pytest.approx(official_hota, abs=1e-6)
    assert float(numbers["iou"]) == pytest.approx(scored[qid]["R1"]["iou"], abs=1e-12)
    assert pairs == {str(pair["gt_track_id"]): str(pair["pred_track_id"])}
    assert opened.errors == []
    opened.page.close()


# -- compare, thumbnails and baselines on a synthetic benchmark with real video -----------------


@pytest.fixture(scope="module")
def synth_case(tmp_path_factory):
    from svag.bench import build_scenes, ground_dataset
    from svag.ground import build_grounder
    from svag.io.svag_json import read_svag, write_svag
    from svag.synth.benchmark import generate_benchmark
    root = tmp_path_factory.mktemp("report-synth")
    info = generate_benchmark(root / "synth", videos=2, frames=50, size=(192, 112), seed=4, queries_per_video=4)
    gt = read_svag(info.gt_path, "gt")
    scenes = build_scenes(gt, root / "synth")
    paths = []
    for name in ("all-tracks", "longest-track"):
        pred, _ = ground_dataset(gt, scenes, build_grounder(name))
        write_svag(root / f"{name}.json", pred, "pred")
        paths.append(root / f"{name}.json")
    out = root / "r.html"
    assert main(["report", str(info.gt_path), str(paths[0]), "--compare", str(paths[1]), "--out", str(out),
                 "--video-root", str(root / "synth"), "--baselines", "--mot-root", str(root / "synth")]) == 0
    return out, gt


def test_compare_thumbnails_and_baselines(browser, synth_case, tmp_path):
    path, gt = synth_case
    opened = open_report(browser, path)
    page = opened.page
    n = sum(len(d) for d in gt)
    assert page.get_attribute("#count", "data-total") == str(n)
    assert page.locator("#compare-list tr").count() == min(15, n) + 1
    # the prediction is the all-tracks baseline itself: both rows carry the same numbers
    for protocol in ("svag", "svag-strict"):
        sel = f'.proto-block[data-protocol="{protocol}"] tr[data-dataset="mean"]'
        rows = page.evaluate(f"""() => Object.fromEntries(Array.from(document.querySelectorAll('{sel}')).map(tr =>
            [tr.dataset.pred, Array.from(tr.querySelectorAll('td[data-key]')).map(td => td.dataset.value)]))""")
        assert set(rows) == {"all-tracks.json", "longest-track.json", "baseline: all-tracks", "baseline: longest-track"}
        assert rows["all-tracks.json"] == rows["baseline: all-tracks"]
        assert rows["longest-track.json"] == rows["baseline: longest-track"]
    # thumbnails: decoded images with the ground-truth boxes drawn over them
    key = page.evaluate("""() => { const t = JSON.parse(document.getElementById('svag-thumbs').textContent);
        return Object.keys(t).find(k => t[k].length && t[k][0].gt.length); }""")
    assert key
    page.evaluate(f"window.svagReport.select({json.dumps(key)})")
    page.wait_for_function("Array.from(document.querySelectorAll('.thumb img')).every(i => i.complete && i.naturalWidth > 0)")
    assert page.locator(".thumb img").count() >= 1
    assert page.locator(".thumb svg rect").count() >= 1
    assert page.locator("#detail-numbers tr[data-sub]").count() == 2
    page.select_option("#sub", "1")
    assert opened.errors == []
    page.screenshot(path=str(tmp_path / "synth.png"), full_page=True)
    page.close()


# -- pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize("frames, runs", [
    ([], []), ([3], [[3, 3]]), ([1, 2, 3, 7, 8, 10], [[1, 3], [7, 8], [10, 10]]),
])
def test_box_runs(frames, runs):
    assert box_runs(np.asarray(frames, dtype=np.int64)) == runs


@pytest.mark.parametrize("text, label", [("a", "1-5 words"), ("a b c d e f", "6-8 words"),
                                         ("w " * 12, "9-12 words"), ("w " * 13, "13+ words")])
def test_length_bin(text, label):
    assert length_bin(text) == label


def test_pairs_adapter_reads_the_evaluation_records():
    from svag.eval.svag_pairing import UNPAIRED_REASONS
    row = {"pairs": [[1, 5, None], [2, None, "no_shared_frame"]], "pred_tracks": 2, "DetA": 40.0,
           "windows": [{"measure": "R1", "gt_track_id": 2, "pred_track_id": 5, "pred_window": [1, 2],
                        "gt_window": [1, 3], "iou": 0.5}]}
    info = _pairs_for(row, "svag")
    assert info == PairInfo(["1", "2"], ["5", None], [None, UNPAIRED_REASONS["no_shared_frame"]],
                            {"R1 (GT 2 / pred 5)": {"pred_window": [1, 2], "gt_window": [1, 3], "iou": 0.5}})
    old = {"pairs": {"1": 5, "2": None}, "pred_tracks": 2, "DetA": 40.0}     # rows without reasons
    info = _pairs_for(old, "svag")
    assert info.pred == ["5", None] and info.why[0] is None and "row position" in info.why[1]
    assert _pairs_for({**old, "pred_tracks": 0}, "svag-strict").why[1] == "no predicted track for this query"


def test_page_data_cannot_close_its_script_element():
    html = render_html({"meta": {"title": "t</script><b>"}, "queries": [{"t": "</script><script>alert(1)"}],
                        "summary": {}, "nan": float("nan")})
    data = html.split('id="svag-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["queries"][0]["t"] == "</script><script>alert(1)"
    assert json.loads(data)["nan"] is None
    assert "<title>t&lt;/script&gt;&lt;b&gt;</title>" in html


def test_cli_refuses_overwrite_and_baselines_without_tracks(tmp_path, capsys, shared_data):
    base = shared_data / "svageval-parity" / "edge"
    out = tmp_path / "r.html"
    out.write_text("mine")
    args = ["report", str(base / "gt.json.gz"), str(base / "pred.json.gz"), "--out", str(out)]
    assert main(args) == 2
    assert out.read_text() == "mine"
    assert main([*args, "--force", "--baselines"]) == 2
    assert "--mot-root" in capsys.readouterr().err
    assert out.read_text() == "mine"
    assert shutil.which("chromium") or Path(CHROMIUM).is_file()


def test_thumbnails_from_a_mot_img1_folder(shared_data):
    """A MOT sequence folder found by its video name (MOT17-02 -> MOT17-02-FRCNN), only the key
    frames read from img1/, boxes in the video's own pixels; a video that is not there is a note."""
    import base64

    import cv2

    from svag.core.types import Query, Track
    from svag.report.thumbs import ThumbRequest, make_thumbnails
    root = shared_data / "video" / "mot17-mini"
    box = np.array([[100.0, 200.0, 50.0, 120.0]] * 3)
    gt = Query(1, "a person walks", "MOT17-02", 600, (Track(7, np.array([1, 2, 3]), box, windows=[[1, 3]]),))
    pred = Query(1, "a person walks", "MOT17-02", 600, (Track(9, np.array([2, 3]), box[:2] + 4, windows=[[2, 3, 0.8]]),))
    missing = Query(2, "a car", "NOWHERE-01", 10, (Track(1, np.array([5]), box[:1], windows=[[5, 5]]),))
    thumbs, notes = make_thumbnails([ThumbRequest("a", gt, [pred]), ThumbRequest("b", missing, [None])], root)
    assert [t["f"] for t in thumbs["a"]] == [2]          # the middle of [1, 3]; the prediction's is too close
    t = thumbs["a"][0]
    assert (t["W"], t["H"]) == (1920, 1080)
    assert t["gt"] == [["7", 100.0, 200.0, 50.0, 120.0]] and t["p"] == [[["9", 104.0, 204.0, 54.0, 124.0]]]
    image = cv2.imdecode(np.frombuffer(base64.b64decode(t["src"].split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (180, 320, 3)
    assert "b" not in thumbs and "NOWHERE-01" in notes[0]


def test_verbs_of_queries_empty_text_included():
    from svag.report.model import _verbs
    assert _verbs(["a person walks to the left", " ", "a man stands still"]) == ["walk", "(empty query)", "stand_still"]
