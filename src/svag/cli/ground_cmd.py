"""``svag ground``: find who does what, and when, in a video."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from svag.cli.common import check_outputs
from svag.errors import InputError

EPILOG = """examples:
  svag ground video.mp4 "a person walks to the left" --out pred.json --render out.mp4
  svag ground video.mp4 --queries queries.txt --out pred.json      one query per line
  svag ground video.mp4 --queries GT.json --grounder videogem -O model=CLIP_DIR --heatmaps HM/ --out pred.json
      training-free action heatmaps; `svag eval --protocol pointing GT.json HM/` scores them
  svag ground ../shared/data/mot/MOT17-11 --tracks TRACKS.txt --queries GT.json --out PRED.json
      ground over existing tracks (no pixels decoded); GT.json's dataset name, query ids and
      texts for this video are reused, so PRED.json can be scored with `svag eval GT.json PRED.json`

VIDEO is a video file, a folder of frames or a MOTChallenge sequence folder (seqinfo.ini)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ground", help="ground action queries in a video", epilog=EPILOG,
                       description="Ground natural-language action queries: every actor that does it, "
                                   "tracked, with scored time windows.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("video", help="video file, folder of frames, or MOT sequence folder")
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
                   help="grounder parameter, repeatable, e.g. -O threshold=0.5 -O window_mode=segments")
    p.add_argument("--detector", default="motion", help="detector for pixels: motion (default; static cameras), "
                                                      "hog, or mot (the sequence's det/det.txt)")
    p.add_argument("--tracker", default="bytetrack")
    p.add_argument("--stride", type=int, default=1, help="use every n-th frame")
    p.add_argument("--resize", type=float, help="scale frames by this factor before detection")
    p.add_argument("--dataset", default=None, help="dataset name in the prediction (default: from --queries "
                                                   "JSON, else 'custom')")
    p.add_argument("--window-convention", choices=("svag", "toolkit"), default="svag",
                   help="svag: windows as 1-based inclusive frames [s, e] like the ground truth (default); "
                        "toolkit: [s-1, e] as the official SVAGEval toolkit compares them")
    p.add_argument("--fps", type=float, help="frame rate, with --tracks when no video geometry is available")
    p.add_argument("--no-cache", action="store_true", help="do not reuse or store tracks of this video")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from svag.io.svag_json import write_svag
    from svag.pipeline import GroundConfig, VideoGrounder, to_prediction

    from svag.ground import PIXEL_GROUNDERS
    check_outputs(args.force, args.out, args.render)
    video = Path(args.video)
    if not video.exists():
        raise InputError("video not found", file=str(video))
    grounder_args = parse_options(args.grounder_option)
    if args.grounder in PIXEL_GROUNDERS:
        grounder_args.setdefault("video", str(video))
    elif args.heatmaps:
        raise InputError(f"--heatmaps needs a heatmap grounder ({', '.join(sorted(PIXEL_GROUNDERS))}), "
                         f"not {args.grounder!r}")
    config = GroundConfig(detector=args.detector, tracker=args.tracker, grounder=args.grounder,
                          grounder_args=grounder_args,
                          detector_args={"path": str(video / "det" / "det.txt")} if args.detector == "mot" else {},
                          stride=args.stride, resize=args.resize, cache_dir="" if args.no_cache else None)
    vg = VideoGrounder(config)
    if args.tracks:
        scene = vg.scene_from_tracks(args.tracks, video, fps=args.fps)
    else:
        scene = vg.scene_from_video(video, progress=not args.no_progress)
    dataset, specs = _query_specs(args, video, scene.num_frames)
    from svag.ground.appearance import is_colour_word
    from svag.pipeline import has_pixels, parse_all
    parsed = parse_all([s.text for s in specs])
    if any(is_colour_word(a) for q in parsed for a in q.attributes) and has_pixels(video):
        scene = vg.with_colours(scene, video)
    results = vg.ground(scene, parsed)
    for spec, res in zip(specs, results):
        line = f"{spec.query_id}: {spec.text!r} -> {res.query.describe()}"
        line += f"\n    {len(res.groundings)} tracks: " + ", ".join(
            f"{g.track.track_id} [{int(g.windows[0, 0])}-{int(g.windows[0, 1])}] {g.score:.2f}"
            for g in res.groundings[:8]) + (" ..." if len(res.groundings) > 8 else "")
        print(line)
        for note in res.notes:
            print(f"    note: {note}", file=sys.stderr)
    fps = vg.times.fps()
    if vg.times.frames:
        print("speed: " + ", ".join(f"{k} {v:.0f} fps" for k, v in fps.items()))
    if args.out:
        pred = to_prediction(dataset, list(zip(specs, results)), window_convention=args.window_convention)
        write_svag(args.out, pred, "pred", overwrite=args.force)
        print(f"wrote {args.out}")
    maps = _write_heatmaps(args, vg, scene, specs, results)
    if args.render:
        from svag.video.render import render_groundings
        render_groundings(video, args.render, list(zip(specs, results)), stride=config.stride, heatmaps=maps)
        print(f"wrote {args.render}")
    return 0


def _write_heatmaps(args: argparse.Namespace, vg, scene, specs, results):  # type: ignore[no-untyped-def]
    """Heatmaps of a heatmap grounder, one per query (None for other grounders); written to
    --heatmaps DIR when given."""
    if not hasattr(vg.grounder, "heatmaps"):
        return None
    maps = [vg.grounder.heatmaps(scene, res.query) for res in results]
    if args.heatmaps:
        from svag.io.heatmaps import write_heatmaps
        for spec, hm in zip(specs, maps):
            hm.meta.update({"query_id": spec.query_id, "text": spec.text})
            write_heatmaps(args.heatmaps, spec.video_name, spec.query_id, hm, overwrite=args.force)
        print(f"wrote {len(maps)} heatmap files to {args.heatmaps}")
    return maps


def parse_options(items: list[str]) -> dict:
    """``KEY=VALUE`` strings to keyword arguments (values read as JSON when they parse: numbers,
    true/false, null; else kept as text)."""
    import json
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"grounder option must be KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


def _query_specs(args: argparse.Namespace, video: Path, num_frames: int):  # type: ignore[no-untyped-def]
    from svag.pipeline import QuerySpec
    name = args.video_name or _video_name(video)
    specs: list[QuerySpec] = [QuerySpec(t, i + 1, name, num_frames) for i, t in enumerate(args.query)]
    dataset = args.dataset or "custom"
    if args.queries:
        path = Path(args.queries)
        if path.suffix in (".json", ".gz"):
            from svag.io.svag_json import read_svag
            data = read_svag(path, "gt")
            names = {n.lower() for n in ({args.video_name} if args.video_name else _aliases(video))}
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
            specs += [QuerySpec(q.text, q.query_id, q.video_name, q.video_length, q.video_id) for _, q in picked]
        else:
            try:
                lines = [ln.strip() for ln in path.read_text().splitlines()]
            except OSError as exc:
                raise InputError(f"cannot read queries: {exc}", file=str(path)) from None
            start = len(specs)
            specs += [QuerySpec(t, start + i + 1, name, num_frames) for i, t in enumerate(ln for ln in lines if ln)]
    if not specs:
        raise InputError("no query given: pass query texts or --queries FILE")
    for s in specs:
        if not s.text.strip():
            raise InputError("empty query", query=s.query_id)
    return dataset, specs


def _video_name(video: Path) -> str:
    return video.name if video.is_dir() else video.stem


def _aliases(video: Path) -> set[str]:
    names = {video.name, video.stem}
    if video.is_dir() and (video / "seqinfo.ini").is_file():
        from svag.io.mot import read_seqinfo
        seq = read_seqinfo(video).name
        names |= {seq, seq.rsplit("-", 1)[0] if seq.count("-") >= 2 else seq}
    return names
