"""The ``mot`` protocol: MOTChallenge evaluation (HOTA, CLEAR, Identity) as TrackEval's
``MotChallenge2DBox`` runs it.

Preprocessing (``get_preprocessed_seq_data``), per timestep:

1. tracker boxes are matched to *all* gt boxes (Hungarian on IoU, pairs with
   ``IoU >= 0.5 - eps``); tracker boxes matched to a gt box of a distractor class are removed.
   Distractors: person on vehicle (2), static person (7), distractor (8), reflection (12), and
   for MOT20 also non-motorized vehicle (6);
2. gt boxes are kept only if ``consider != 0`` and class == pedestrian (1).

MOT15 ground truth (10 columns, no class column) gets neither step: only ``consider != 0``.
The benchmark is inferred per sequence (a 9-column gt follows MOT17 conventions, a sequence
name starting with ``MOT20`` MOT20's, a gt without class column MOT15's) unless ``benchmark=``
is given. Ids are then relabelled, and HOTA, CLEAR and Identity are computed per sequence and
combined over sequences (TrackEval's ``COMBINED_SEQ``). Ratios are percentages.

Inputs (:func:`evaluate_mot`): ``gt`` is a sequence folder (``gt/gt.txt`` + ``seqinfo.ini``), a
``gt.txt``, or a folder of sequence folders; ``trackers`` is a result file (one sequence) or a
folder of ``<SEQ>.txt`` files, matched to sequences by folder name (or the ``name`` in
``seqinfo.ini``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from svag.core.boxes import iou_matrix
from svag.core.types import Detections
from svag.data.mot_seq import MotSequence
from svag.errors import InputError
from svag.eval.clear import clear_fields, clear_sequence, combine_clear
from svag.eval.hota import HotaCounts, combine_hota, hota_fields, hota_sequence
from svag.eval.identity import combine_identity, identity_fields, identity_sequence
from svag.eval.result import EvalResult
from svag.eval.sequence import EPS, BoxIndex, EdgeGroups, SequenceData, bipartite_components
from svag.io.mot import read_mot_gt, read_mot_results

PathLike = str | os.PathLike
BENCHMARKS = ("MOT15", "MOT16", "MOT17", "MOT20")
PEDESTRIAN = 1
VALID_CLASSES = tuple(range(1, 14))
DISTRACTORS = {"MOT16": (2, 7, 8, 12), "MOT17": (2, 7, 8, 12), "MOT20": (2, 6, 7, 8, 12)}
MATCH_THRESHOLD = 0.5
FIELD_ORDER = ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "OWTA", "HOTA(0)",
               "LocA(0)", "HOTALocA(0)", "MOTA", "MOTP", "MODA", "IDSW", "Frag", "MT", "PT", "ML", "FP",
               "FN", "CLR_TP", "IDF1", "IDP", "IDR", "IDTP", "IDFN", "IDFP", "GT_Dets", "Dets", "GT_IDs",
               "IDs", "CLR_FP", "CLR_FN", "CLR_Re", "CLR_Pr", "MTR", "PTR", "MLR", "sMOTA", "CLR_F1",
               "FP_per_frame", "MOTAL", "MOTP_sum", "CLR_Frames")


# ----------------------------------------------------------------------------------------------
# preprocessing


def infer_benchmark(gt: Detections, name: str) -> str:
    """MOT15 for gt without class column, MOT20 for names starting with MOT20, else MOT17."""
    if gt.classes is None:
        return "MOT15"
    return "MOT20" if name.upper().startswith("MOT20") else "MOT17"


def check_benchmark(benchmark: str) -> str:
    b = str(benchmark).upper()
    if b not in BENCHMARKS:
        raise InputError(f"unknown benchmark {benchmark!r}; expected one of {', '.join(BENCHMARKS)}")
    return b


def preprocess_mot(gt: Detections, tracker: Detections, num_frames: int, benchmark: str) -> SequenceData:
    """The evaluated sequence: distractor-matched tracker boxes removed, gt filtered.

    IoUs are computed for the gt boxes that are evaluated or distractors; the other gt boxes
    (e.g. occluders, vehicles, ignored pedestrians) only take part in the matching of step 1 and
    are compared with the tracker boxes near distractors only (see :class:`_DistractorMatching`).
    Every gt row is checked as TrackEval checks it (frame range, one id per frame, classes)."""
    benchmark = check_benchmark(benchmark)
    consider = np.ones(len(gt), bool) if gt.consider is None else gt.consider
    if benchmark == "MOT15":
        raw = SequenceData.build(gt, tracker, num_frames)
        return raw.subset(consider[raw.gt_src_row], None)
    if gt.classes is None:
        raise InputError(f"benchmark {benchmark} needs the class column of a 9-column gt file "
                         "(frame, id, x, y, w, h, consider, class, visibility); this gt has none",
                         file=gt.source, hint="use benchmark MOT15 for gt without classes")
    is_distractor = np.isin(gt.classes, DISTRACTORS[benchmark])
    evaluated = consider & (gt.classes == PEDESTRIAN)
    core = evaluated | is_distractor
    raw = SequenceData.build(gt, tracker, num_frames, gt_keep=core)
    _check_classes(gt, raw.n_tr_t)
    removed = _DistractorMatching(gt, raw, is_distractor, np.flatnonzero(~core)).removed()
    return raw.subset(evaluated[raw.gt_src_row], ~removed)


def _check_classes(gt: Detections, n_tr_t: np.ndarray) -> None:
    """TrackEval rejects unknown gt classes on timesteps it preprocesses (both sides non-empty)."""
    bad = ~np.isin(gt.classes, VALID_CLASSES) & (n_tr_t[gt.frames - 1] > 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        r = int(rows[np.lexsort((rows, gt.frames[rows]))[0]])
        raise InputError(f"unknown gt class {int(gt.classes[r])} (MOTChallenge classes are 1..13)",
                         file=gt.source, frame=int(gt.frames[r]), track=gt.ids[r].item())


class _DistractorMatching:
    """Which tracker boxes TrackEval's preprocessing gives to distractor gt boxes.

    Per timestep it maximises the summed IoU over pairs with ``IoU >= 0.5 - eps`` between all
    gt boxes and the tracker boxes. That assignment decomposes over connected groups of such
    pairs (:class:`EdgeGroups`), and only groups holding a distractor pair matter. The IoUs of
    evaluated and distractor gt boxes are in ``raw``; the remaining ("other") gt boxes are
    compared only with tracker boxes of those groups, growing them until closed. A group with
    tied IoUs is solved over its whole timestep as TrackEval does, so ties break the same way.

    Gt nodes: the rows of ``raw``, then one node per other row (of the timesteps concerned)."""

    def __init__(self, gt: Detections, raw: SequenceData, is_distractor: np.ndarray, others: np.ndarray) -> None:
        self.gt, self.raw, self.is_distractor, self.others = gt, raw, is_distractor, others
        self.inputs = raw.gt_src_row          # input row of each raw gt row
        self.node_input = self.inputs

    def removed(self) -> np.ndarray:
        raw = self.raw
        out = np.zeros(raw.num_tracker_dets, bool)
        eg, et, es = raw.edges(MATCH_THRESHOLD - EPS)
        dis = self.is_distractor[self.inputs[eg]]
        if not dis.any():
            return out
        # groups never span timesteps: keep the timesteps that have a distractor pair
        hot = np.zeros(raw.num_frames, bool)
        hot[raw.gt_frame[eg[dis]]] = True
        k = hot[raw.gt_frame[eg]]
        eg, et, es = eg[k], et[k], es[k]
        others = self.others[hot[self.gt.frames[self.others] - 1]]
        self.node_input = np.concatenate([self.inputs, others])
        if len(others):
            eg, et, es = self._add_other_edges(eg, et, es, others, hot)
        dis = self.is_distractor[self.node_input[eg]]
        groups = EdgeGroups(len(self.node_input), raw.num_tracker_dets, self.gt.frames[self.node_input] - 1,
                            eg, et, es)
        matched = groups.lone.copy()
        if groups.n_groups:
            wanted = np.zeros(groups.n_groups, bool)
            wanted[groups.group[dis & ~groups.lone]] = True
            matched |= groups.solve(es, wanted & ~groups.tie)
            for g in np.flatnonzero(wanted & groups.tie):
                rows, cols = self._timestep_matches(int(groups.frame[g]))
                mine = np.isin(rows, self.node_input[eg[groups.group == g]])
                out[cols[mine & self.is_distractor[rows]]] = True
        out[et[matched & dis]] = True
        return out

    def _add_other_edges(self, eg: np.ndarray, et: np.ndarray, es: np.ndarray, others: np.ndarray,
                         hot: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges of the other gt boxes (of the ``hot`` timesteps) inside the groups that hold
        a distractor pair, found by growing those groups until closed. Each (other box,
        tracker box) pair is compared once: when the later of the two is queried."""
        raw, gt, F = self.raw, self.gt, self.raw.num_frames
        o_frame, o_boxes = gt.frames[others] - 1, gt.boxes[others]
        o_index = BoxIndex(o_frame, o_boxes, F)
        t_rows = np.flatnonzero(hot[raw.tr_frame])
        t_index = BoxIndex(raw.tr_frame[t_rows], raw.tr_boxes[t_rows], F)
        queried_t = np.zeros(raw.num_tracker_dets, bool)
        queried_o = np.zeros(len(others), bool)
        base = len(self.inputs)
        parts = [(eg, et, es)]
        while True:
            cg, ct, cs = (np.concatenate(x) for x in zip(*parts))
            comp = _edge_components(cg, ct)
            grows = np.zeros(comp.max() + 1, bool)
            grows[comp[self.is_distractor[self.node_input[cg]]]] = True
            new_t = np.unique(ct[grows[comp]])
            new_t = new_t[~queried_t[new_t]]
            if len(new_t) == 0:
                return cg, ct, cs
            queried_t[new_t] = True
            j, i, sim = o_index.overlaps(BoxIndex(raw.tr_frame[new_t], raw.tr_boxes[new_t], F))
            k = (sim >= MATCH_THRESHOLD - EPS) & ~queried_o[i]
            parts.append((base + i[k], new_t[j[k]], sim[k]))
            new_o = np.unique(i[k])
            queried_o[new_o] = True
            i, j, sim = t_index.overlaps(BoxIndex(o_frame[new_o], o_boxes[new_o], F))
            j = t_rows[j]
            k = (sim >= MATCH_THRESHOLD - EPS) & ~queried_t[j]
            parts.append((base + new_o[i[k]], j[k], sim[k]))

    def _timestep_matches(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """TrackEval's assignment of timestep t over all its gt boxes (file order): matched
        (input gt rows, raw tracker rows)."""
        gt, raw = self.gt, self.raw
        rows = np.flatnonzero(gt.frames == t + 1)
        cols = np.arange(raw.tr_ptr[t], raw.tr_ptr[t + 1])
        sim = iou_matrix(gt.boxes[rows], raw.tr_boxes[cols])
        score = np.where(sim < MATCH_THRESHOLD - EPS, 0.0, sim)
        r, c = linear_sum_assignment(-score)
        ok = score[r, c] > EPS
        return rows[r[ok]], cols[c[ok]]


def _edge_components(eg: np.ndarray, et: np.ndarray) -> np.ndarray:
    """Connected component of each edge of a bipartite graph."""
    ug, ig = np.unique(eg, return_inverse=True)
    ut, it = np.unique(et, return_inverse=True)
    return bipartite_components(ig, it, len(ug), len(ut))[1][ig]


# ----------------------------------------------------------------------------------------------
# finding sequences and tracker files


def _sequence_at(gt_file: Path, name: str) -> MotSequence:
    seq_dir = gt_file.parent.parent if gt_file.parent.name == "gt" else gt_file.parent
    return MotSequence(name, seq_dir, None if gt_file == seq_dir / "gt" / "gt.txt" else gt_file)


def find_sequences(gt: PathLike) -> list[MotSequence]:
    """Sequences under ``gt``: a gt.txt, a sequence folder, or a folder of sequence folders."""
    p = Path(gt)
    if p.is_file():
        name = p.parent.parent.name if p.parent.name == "gt" else p.stem
        return [_sequence_at(p, name)]
    if (p / "gt" / "gt.txt").is_file():
        return [_sequence_at(p / "gt" / "gt.txt", p.name)]
    if p.is_dir():
        seqs = [_sequence_at(d / "gt" / "gt.txt", d.name) for d in sorted(p.iterdir())
                if (d / "gt" / "gt.txt").is_file()]
        if seqs:
            return seqs
        raise InputError("no MOTChallenge sequence here: expected gt/gt.txt in this folder or in its "
                         "sub-folders", file=str(p))
    raise InputError("ground truth not found", file=str(p))


def select_sequences(seqs: list[MotSequence], names: list[str] | None) -> list[MotSequence]:
    if names is None:
        return seqs
    have = {s.name: s for s in seqs}
    missing = [n for n in names if n not in have]
    if missing:
        raise InputError(f"no ground truth for sequence(s) {', '.join(missing)}",
                         file=str(seqs[0].gt_file.parent.parent.parent) if seqs else None,
                         hint=f"available: {', '.join(sorted(have))}")
    return [have[n] for n in names]


def find_tracker_files(trackers: PathLike, seqs: list[MotSequence]) -> dict[str, Path]:
    """The result file of each sequence: ``trackers`` itself (one sequence) or
    ``trackers/<SEQ>.txt`` (also ``trackers/data/<SEQ>.txt``, or the seqinfo name)."""
    p = Path(trackers)
    if p.is_file():
        if len(seqs) != 1:
            raise InputError(f"one tracker file given for {len(seqs)} sequences "
                             f"({', '.join(s.name for s in seqs)})", file=str(p),
                             hint="pass a folder of <SEQ>.txt files")
        return {seqs[0].name: p}
    if not p.is_dir():
        raise InputError("tracker results not found", file=str(p))
    out, missing = {}, []
    for s in seqs:
        names = [s.name] + ([s.ini_name] if s.ini_name and s.ini_name != s.name else [])
        found = [d / f"{n}.txt" for d in (p, p / "data") for n in names if (d / f"{n}.txt").is_file()]
        if found:
            out[s.name] = found[0]
        else:
            missing.append(s.name)
    if missing:
        have = sorted(f.name for f in p.glob("*.txt"))
        raise InputError(f"no tracker result for {len(missing)} of {len(seqs)} sequences: "
                         f"{', '.join(m + '.txt' for m in missing)} missing", file=str(p),
                         hint=f"the folder has {', '.join(have[:20]) or 'no .txt files'}"
                              f"{' ...' if len(have) > 20 else ''}")
    return out


# ----------------------------------------------------------------------------------------------
# evaluation


@dataclass
class SequenceCounts:
    """Per-sequence counts of the three metric families, before any ratio is taken."""

    hota: HotaCounts
    clear: dict[str, float]
    identity: dict[str, int]
    counts: dict[str, int]


def evaluate_sequence(seq: SequenceData) -> SequenceCounts:
    """HOTA, CLEAR and Identity counts of one preprocessed sequence."""
    counts = {"GT_Dets": seq.num_gt_dets, "Dets": seq.num_tracker_dets, "GT_IDs": seq.num_gt_ids,
              "IDs": seq.num_tracker_ids}
    return SequenceCounts(hota_sequence(seq), clear_sequence(seq), identity_sequence(seq), counts)


def combine_counts(parts: list[SequenceCounts]) -> SequenceCounts:
    """TrackEval's COMBINED_SEQ: counts summed, HOTA's association terms TP-weighted."""
    counts = {k: int(sum(p.counts[k] for p in parts)) for k in ("GT_Dets", "Dets", "GT_IDs", "IDs")}
    return SequenceCounts(combine_hota([p.hota for p in parts]), combine_clear([p.clear for p in parts]),
                          combine_identity([p.identity for p in parts]), counts)


def mot_fields(c: SequenceCounts) -> dict[str, float]:
    """Final values with TrackEval's names (ratios in percent), in :data:`FIELD_ORDER`."""
    merged: dict[str, float] = {**hota_fields(c.hota), **clear_fields(c.clear), **identity_fields(c.identity)}
    merged.update(c.counts)
    merged["FP"], merged["FN"] = merged["CLR_FP"], merged["CLR_FN"]
    return {k: merged[k] for k in FIELD_ORDER}


def load_sequence(seq: MotSequence, tracker_file: Path, benchmark: str | None,
                  notes: list[str] | None = None) -> tuple[SequenceData, str]:
    """Read, check and preprocess one sequence; returns it with the benchmark used."""
    gt = read_mot_gt(seq.gt_file)
    tr = read_mot_results(tracker_file)
    length = seq.length()
    if length is None:
        length = int(max(gt.frames.max(initial=0), tr.frames.max(initial=0)))
        if notes is not None:
            notes.append(f"{seq.name}: no seqinfo.ini, sequence length taken as the last frame with "
                         f"a box ({length})")
    bench = check_benchmark(benchmark) if benchmark else infer_benchmark(gt, seq.ini_name or seq.name)
    return preprocess_mot(gt, tr, length, bench), bench


PARALLEL_MIN_BYTES = 4 << 20     # "auto" forks only when the input files are this large in all


def evaluate_mot(gt: PathLike, trackers: PathLike, benchmark: str | None = None,
                 sequences: list[str] | None = None, workers: int | str = "auto") -> EvalResult:
    """Evaluate a tracker on MOTChallenge sequences (see the module docstring); ``sequences``
    restricts a folder of sequences to those names (TrackEval's ``SEQ_INFO``).

    ``workers``: processes that read and evaluate whole sequences at once (this process is one
    of them). ``"auto"`` uses up to 2 when there are >= 2 sequences, >= 2 CPUs, the ``fork``
    start method, and input files of :data:`PARALLEL_MIN_BYTES` or more; ``1`` is serial. The
    results (and any error: that of the first failing sequence, as serially) are the same."""
    seqs = select_sequences(find_sequences(gt), sequences)
    files = find_tracker_files(trackers, seqs)
    jobs = [(s, files[s.name], benchmark) for s in seqs]
    n = _worker_count(workers, jobs)
    outcomes = _run_parallel(jobs, n) if n > 1 else [_run_job(j) for j in jobs]
    notes: list[str] = []
    per_seq: dict[str, SequenceCounts] = {}
    rows: list[dict[str, Any]] = []
    used: dict[str, list[str]] = {}
    for (s, tracker_file, _), (counts, bench, job_notes) in zip(jobs, outcomes):
        notes.extend(job_notes)
        used.setdefault(bench, []).append(s.name)
        per_seq[s.name] = counts
        rows.append({"sequence": s.name, "benchmark": bench, "gt": str(s.gt_file), "tracker": str(tracker_file)})
    datasets = {name: mot_fields(c) for name, c in per_seq.items()}
    for row in rows:
        row.update(datasets[row["sequence"]])
    how = "as given" if benchmark else "inferred"
    notes.append("benchmark conventions " + how + ": " +
                 "; ".join(f"{b} for {', '.join(names)}" for b, names in used.items()))
    combined = mot_fields(combine_counts(list(per_seq.values())))
    return EvalResult(protocol="mot", mean=combined, datasets=datasets, per_query=rows, notes=notes)


# ----------------------------------------------------------------------------------------------
# sequences in parallel

_Job = tuple[MotSequence, Path, "str | None"]
_Outcome = tuple[SequenceCounts, str, list[str]]


def _run_job(job: _Job) -> _Outcome:
    s, tracker_file, benchmark = job
    notes: list[str] = []
    data, bench = load_sequence(s, tracker_file, benchmark, notes)
    return evaluate_sequence(data), bench, notes


def _job_bytes(job: _Job) -> int:
    try:
        return os.path.getsize(job[0].gt_file) + os.path.getsize(job[1])
    except OSError:
        return 0


def _worker_count(workers: int | str, jobs: list[_Job]) -> int:
    if workers == "auto":
        import multiprocessing as mp
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count() or 1
        if (len(jobs) < 2 or cpus < 2 or "fork" not in mp.get_all_start_methods()
                or mp.current_process().daemon or sum(map(_job_bytes, jobs)) < PARALLEL_MIN_BYTES):
            return 1
        return 2
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise InputError(f"workers must be 'auto' or an integer >= 1, got {workers!r}")
    return min(int(workers), len(jobs))


def _run_parallel(jobs: list[_Job], n: int) -> list[_Outcome]:
    """Jobs shared by ``n`` processes: ``n - 1`` forked children and this one, each taking the
    next job (largest files first) when it is free. A job that failed (or whose process died)
    is run again here, so the caller sees the very exception a serial run raises."""
    import multiprocessing as mp
    if "fork" not in mp.get_all_start_methods():
        return [_run_job(j) for j in jobs]
    ctx = mp.get_context("fork")
    order = sorted(range(len(jobs)), key=lambda i: -_job_bytes(jobs[i]))
    _preload_readers(jobs)
    counter = ctx.Value("i", 0)
    children = []
    results: dict[int, _Outcome | None] = {}
    answered: set[int | None] = set()
    try:
        for _ in range(n - 1):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(jobs, order, counter, send), daemon=True)
            proc.start()
            send.close()
            children.append((proc, recv))
        results.update(_take_jobs(jobs, order, counter))
        for proc, recv in children:
            try:
                results.update(recv.recv())
                answered.add(proc.pid)
            except (EOFError, OSError):
                pass                      # a dead child: its jobs are missing, run below
    finally:
        for proc, recv in children:
            recv.close()
            # a child that has sent its results is exiting: not waited for (its teardown takes
            # milliseconds); multiprocessing reaps it at the next start or at exit
            if proc.pid not in answered:
                proc.terminate()
                proc.join()
    return [out if (out := results.get(i)) is not None else _run_job(jobs[i]) for i in range(len(jobs))]


def _take_jobs(jobs: list[_Job], order: list[int], counter: Any) -> dict[int, _Outcome | None]:
    """Run the next free job until none is left; None for a job that raised (the parent runs
    it again to raise)."""
    done: dict[int, _Outcome | None] = {}
    while True:
        with counter.get_lock():
            k = counter.value
            counter.value = k + 1
        if k >= len(order):
            return done
        try:
            done[order[k]] = _run_job(jobs[order[k]])
        except Exception:
            done[order[k]] = None


def _child(jobs: list[_Job], order: list[int], counter: Any, send: Any) -> None:
    done = _take_jobs(jobs, order, counter)
    try:
        send.send(done)
    except Exception:                     # unpicklable: the parent runs these jobs itself
        send.send({})
    send.close()


def _preload_readers(jobs: list[_Job]) -> None:
    """Import the fast text reader here, once, so that forked children inherit it."""
    from svag.io.mot import fast_reader_for
    for s, tracker_file, _ in jobs:
        for path in (s.gt_file, tracker_file):
            try:
                fast_reader_for(os.path.getsize(path))
            except OSError:
                pass
