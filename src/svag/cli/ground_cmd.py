"""``svag ground``: find who does what, and when, in a video."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataclasses import replace

from svag.cli import ground_batch
from svag.cli.ground_options import ground_config
from svag.cli.validate import (JSON_EXTS, VIDEO_EXTS, check_input_file, check_outputs, non_negative_float,
                               positive_float, positive_int, resize_factor)
from svag.errors import InputError

EPILOG = """examples (from the project folder):
  svag ground ../shared/data/video/pets09-s2l1.avi "a person walks to the left" --out pred.json --render out.mp4
  svag ground ../shared/data/mot/MOT17-02 --tracks ../shared/data/trackers/20221127_result_auginput17dim_finethresh_wodist_onefut/MOT17-02.txt --queries ../shared/data/svageval-parity/small/gt.json.gz --out pred17.json
      ground over existing tracks (no pixels decoded); the ground truth's dataset name, query ids
      and texts for this video are reused, so pred17.json can be scored with `svag eval`
  With --grounder videogem -O model=CLIP_DIR --heatmaps HM/: training-free action heatmaps, one file
      per query (`svag eval --protocol pointing GT.json HM/` scores them; --render overlays them)

  svag ground ../shared/data/video/pets09-s2l1.avi "a person in a red jacket walks to the right" \
      --detector owlv2 --grounder fusion --device cuda --render out.mp4
      open-vocabulary detection (prompted with the queries' actors) + CLIP/SigLIP track-text grounding
      (--model DIR, repeatable: local checkpoints, e.g. an OWLv2 folder and a CLIP folder)

--queries FILE reads one query per line from a text file, or the queries on this video from SVAG JSON.
VIDEO is a video file, a folder of frames or a MOTChallenge sequence folder (seqinfo.ini).
Vision models (pip install 'svag[vlm]') load offline from a folder or the Hugging Face cache;
--allow-download fetches a hub checkpoint once. On a CPU a full-size detector runs at about
0.1 frame/s: use a GPU, or --stride N (detect every N-th frame; tracks are interpolated).

""" + ground_batch.HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ground", help="ground action queries in a video", epilog=EPILOG,
                       description="Ground natural-language action queries: every actor that does it, "
                                   "tracked, with scored time windows.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("video", nargs="?", help="video file, folder of frames, or MOT sequence folder")
    p.add_argument("query", nargs="*", help="query texts")
    p.add_argument("--queries", metavar="FILE", help="a text file (one query per line) or an SVAG JSON file")
    p.add_argument("--video-name", metavar="NAME", help="the video's name in --queries JSON and in the prediction "
                   "(default: the file or folder name, or the sequence name of a MOT folder; case is ignored)")
    p.add_argument("--out", metavar="PRED.json", help="write the SVAG prediction JSON here")
    p.add_argument("--tracks", metavar="FILE", help="ground over these tracks (MOT result file) instead of "
                                                  "detecting and tracking")
    p.add_argument("--render", metavar="OUT.mp4", help="write the video with the matched tracks drawn (and the "
                                                     "heatmap overlaid, with a heatmap grounder such as videogem)")
    p.add_argument("--heatmaps", metavar="DIR", help="heatmap grounders (videogem): write one heatmap file per query "
                                                   "to DIR/<video>/<query id>.npz (see svag.io.heatmaps)")
    p.add_argument("--grounder", default="kinematic", help="grounder (default: kinematic)")
    p.add_argument("--grounder-option", "-O", action="append", default=[], metavar="KEY=VALUE",
                   help="grounder parameter, repeatable, e.g. -O threshold=0.5 -O window_mode=segments; "
                        "a GROUNDER. prefix is allowed (-O mllm.shortlist=kinematic)")
    p.add_argument("--detector", default="motion", help="detector for pixels: motion (default; static cameras), "
                                                      "hog, mot (the sequence's det/det.txt), or the open-vocabulary owlv2, grounding-dino, "
                   "omdet-turbo (prompted with the queries' actors; ~0.1 frame/s on CPU: use --stride there)")
    p.add_argument("--detector-option", "-D", action="append", default=[], metavar="KEY=VALUE",
                   help="detector parameter, repeatable, e.g. -D threshold=0.3 -D batch_size=16")
    p.add_argument("--model", action="append", default=[], metavar="ID_OR_DIR",
                   help="vision checkpoint (hub id or save_pretrained folder), repeatable: detector checkpoints "
                        "go to --detector, CLIP/SigLIP ones to --grounder clip|fusion")
    p.add_argument("--device", default="auto", help="auto (default: cuda, then mps, then cpu), cpu, cuda, cuda:N, mps")
    p.add_argument("--allow-download", action="store_true", help="let transformers download missing checkpoints")
    p.add_argument("--tracker", default="bytetrack", help="tracker that links detections (default: bytetrack)")
    p.add_argument("--stride", type=positive_int, default=1, help="use every n-th frame (default 1)")
    p.add_argument("--resize", type=resize_factor, help="scale frames by this factor (0 < f <= 4) before "
                                                        "detection, e.g. 0.5")
    p.add_argument("--dataset", default=None, help="dataset name in the prediction (default: from --queries "
                                                   "JSON, else 'custom')")
    p.add_argument("--window-convention", choices=("svag", "toolkit"), default="svag",
                   help="svag: windows as 1-based inclusive frames [s, e] like the ground truth (default); "
                        "toolkit: [s-1, e] as the official SVAGEval toolkit compares them")
    p.add_argument("--fps", type=positive_float, help="frame rate of the video (default: the video's own; "
                                                      "needed for a folder of plain frames)")
    p.add_argument("--no-cache", action="store_true", help="do not reuse or store tracks of this video")
    p.add_argument("--frame-memory", type=non_negative_float, default=None, metavar="MB",
                   help="memory for the key frames kept while tracking so that encoders (colours) need no "
                        "second decode (default 256; 0 keeps none)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also none from model loading)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    ground_batch.add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.io.atomic import atomic_outputs
    from svag.io.svag_json import write_svag
    from svag.pipeline import VideoGrounder, has_pixels, to_prediction

    if args.batch:
        return ground_batch.run(args)
    ground_batch.check_single(args)
    # -- validate everything first: arguments, outputs, inputs, queries, the video's header -------
    video = Path(args.video)
    if not video.exists():
        raise InputError("video not found", file=str(video))
    check_outputs(args.force, {"--out": (args.out, JSON_EXTS), "--render": (args.render, VIDEO_EXTS)},
                  inputs={"VIDEO": video, "--tracks": args.tracks, "--queries": args.queries})
    if args.tracks:
        check_input_file(args.tracks, "--tracks")
    dataset, specs = _query_specs(args, video)
    pixels = has_pixels(video)
    if args.render and not pixels:
        raise InputError("--render needs the video's pixels (a video file, frames or a MOT folder with img1/)",
                         file=str(video))
    config = ground_config(args, video)
    vg = VideoGrounder(config)   # checks the grounder's name and options
    _check_heatmap_options(args, vg.grounder, specs, pixels, video)
    if not args.tracks:
        _check_pixel_stages(config, video, pixels)

    # -- work ---------------------------------------------------------------------------------------
    scene = vg.prepare(video, tracks=args.tracks, progress=not args.no_progress,
                       prompts=[s.text for s in specs])       # for detectors that take text prompts
    specs = [s if s.video_length else replace(s, video_length=scene.num_frames) for s in specs]
    results = vg.ground(scene, [s.text for s in specs])
    for spec, res in zip(specs, results):
        line = f"{spec.query_id}: {spec.text!r} -> {res.query.describe()}"
        line += f"\n    {len(res.groundings)} tracks: " + ", ".join(
            f"{g.track.track_id} [{int(g.windows[0, 0])}-{int(g.windows[0, 1])}] {g.score:.2f}"
            for g in res.groundings[:8]) + (" ..." if len(res.groundings) > 8 else "")
        print(line)
        for note in res.notes:
            print(f"    note: {note}", file=sys.stderr)
    fps = vg.times.rates()
    if vg.times.frames:
        print("speed: " + ", ".join(f"{k} {v:.0f} fps" for k, v in fps.items()))
    maps = _heatmaps(args, vg.grounder, scene, specs, results)
    # both outputs appear together at the end, or neither (a failed render leaves no prediction)
    with atomic_outputs(args.out, args.render) as (out_tmp, render_tmp):
        if out_tmp is not None:
            pred = to_prediction(dataset, list(zip(specs, results)), window_convention=args.window_convention)
            write_svag(out_tmp, pred, "pred", overwrite=True)
        if render_tmp is not None:
            from svag.video.render import render_groundings
            render_groundings(scene.frames or video, render_tmp, list(zip(specs, results)), stride=config.stride,
                              progress=not args.no_progress, fps=scene.fps, heatmaps=maps)
    for out in (args.out, args.render):
        if out:
            print(f"wrote {out}")
    return 0


def _check_heatmap_options(args: argparse.Namespace, grounder, specs, pixels: bool,  # type: ignore[no-untyped-def]
                           video: Path) -> None:
    """Before any work: --heatmaps needs a heatmap grounder and no existing heatmap file (unless
    --force); a grounder that reads pixels needs a video with frames."""
    if args.heatmaps and not hasattr(grounder, "heatmaps"):
        raise InputError(f"--heatmaps needs a heatmap grounder (videogem), not {args.grounder!r}")
    if getattr(grounder, "needs_pixels", False) and not pixels:
        raise InputError(f"the {args.grounder} grounder reads the video's pixels: give a video file, a folder of "
                         "frames or a MOT sequence folder with img1/", file=str(video))
    if args.heatmaps and not args.force:
        from svag.io.heatmaps import heatmap_path
        for spec in specs:
            path = heatmap_path(args.heatmaps, spec.video_name, spec.query_id)
            if path.exists():
                raise InputError("heatmap file exists (use --force to overwrite)", file=str(path))


def _heatmaps(args: argparse.Namespace, grounder, scene, specs, results):  # type: ignore[no-untyped-def]
    """A heatmap grounder's heatmaps, one per query (None for other grounders); written to
    --heatmaps DIR when given."""
    if not hasattr(grounder, "heatmaps") or not (args.heatmaps or args.render):
        return None
    maps = [grounder.heatmaps(scene, res.query) for res in results]
    if args.heatmaps:
        from svag.io.heatmaps import write_heatmaps
        for spec, hm in zip(specs, maps):
            hm.meta.update({"query_id": spec.query_id, "text": spec.text})
            write_heatmaps(args.heatmaps, spec.video_name, spec.query_id, hm, overwrite=args.force)
        print(f"wrote {len(maps)} heatmap files to {args.heatmaps}")
    return maps


def _check_pixel_stages(config, video: Path, pixels: bool) -> None:  # type: ignore[no-untyped-def]
    """Before decoding: the detector and tracker exist and take their options, and the video
    opens and decodes its first frame (or, for ``--detector mot``, det/det.txt exists)."""
    from svag.detect import build_detector
    from svag.track import build_tracker
    build_detector(config.detector, **config.detector_args)
    build_tracker(config.tracker, **config.tracker_args)
    if pixels:
        from svag.video.reader import open_video
        open_video(video, stride=config.stride, resize=config.resize)
    elif config.detector == "mot":
        check_input_file(config.detector_args["path"], "--detector mot: det.txt")
    else:
        raise InputError("no video frames found: expected a video file, a folder of frame images, or a MOT "
                         "sequence folder with img1/ (use --detector mot for det/det.txt, or --tracks FILE)",
                         file=str(video))


def _query_specs(args: argparse.Namespace, video: Path):  # type: ignore[no-untyped-def]
    """The queries to ground and the prediction's dataset name, checked before any work. Texts
    given on the command line or in a text file get ``video_length`` 0 (filled in from the
    scene later)."""
    from svag.pipeline import QuerySpec
    from svag.run.manifest import video_aliases, video_name
    num_frames = 0
    name = args.video_name or video_name(video)
    specs: list[QuerySpec] = [QuerySpec(t, i + 1, name, num_frames) for i, t in enumerate(args.query)]
    dataset = args.dataset or "custom"
    if args.queries:
        path = check_input_file(args.queries, "--queries")
        if path.suffix in (".json", ".gz"):
            from svag.io.svag_json import read_svag
            data = read_svag(path, "gt")
            names = {n.lower() for n in ({args.video_name} if args.video_name else video_aliases(video))}
            picked = [(d.name, q) for d in data for q in d.queries if str(q.video_name).lower() in names]
            videos = sorted({str(q.video_name) for d in data for q in d.queries})
            if not picked and len(videos) == 1 and not args.video_name:
                # a query file for one video, given with this video: its queries are on it
                print(f"note: {path.name} holds queries on video {videos[0]!r} only; grounding them on "
                      f"{video.name} (--video-name picks a video by name)")
                picked = [(d.name, q) for d in data for q in d.queries]
            if not picked:
                raise InputError(f"no query is on video {name!r} (file has videos {videos[:10]}"
                                 f"{' ...' if len(videos) > 10 else ''}); name it with --video-name",
                                 file=str(path))
            dataset = args.dataset or picked[0][0]
            specs += [QuerySpec.of(q) for _, q in picked]
        else:
            lines = [ln.strip() for ln in read_query_lines(path)]
            start = len(specs)
            specs += [QuerySpec(t, start + i + 1, name, num_frames) for i, t in enumerate(ln for ln in lines if ln)]
    if not specs:
        raise InputError("no query given: pass query texts or --queries FILE"
                         + (" (the --queries file has no query)" if args.queries else ""),
                         file=args.queries or None)
    from svag.language.parser import check_query
    for s in specs:
        check_query(s.text, s.query_id)
    return dataset, specs


def read_query_lines(path: Path) -> list[str]:
    """The lines of a query text file (UTF-8; a byte-order mark is dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"queries must be UTF-8 text (byte {exc.start} is not)", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read queries: {exc.strerror or exc}", file=str(path)) from None
