"""Query understanding coverage and speed on the real SVAG-Bench query texts.

Parses every distinct query text of the SVAGEval seqmaps (MOT17, MOT20, OVIS validation; slugs
turned back to text by replacing '-' with ' ') and of the SVAG-Bench annotation files (original
and rephrased, MOT17 and MOT20 training), and reports per source: number of queries, share with
at least one predicate, share with a category, share with every content word understood, the
most frequent unknown words, and the parse time per query (with the embedder: the first batch
includes loading the model; a second, warm pass is timed apart). Writes
benchmarks/results/query_parsing.json.

    python benchmarks/bench_query_parsing.py [--data ../shared/data] [--no-embedder]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter
from pathlib import Path

from svag.language.parser import parse_queries

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def sources(data: Path) -> dict[str, list[str]]:
    """Distinct query texts per source, in file order."""
    svag = data / "svag"
    out: dict[str, list[str]] = {}
    for name in ("mot17", "mot20", "ovis"):
        lines = (svag / "seqmaps" / f"seqmap_{name}.txt").read_text().splitlines()
        out[f"seqmap_{name}"] = list(dict.fromkeys(
            ln.split("+", 1)[1].replace("-", " ") for ln in lines if "+" in ln))
    for folder in ("original", "rephrased_with_qid"):
        for path in sorted((svag / folder).glob("*.json")):
            rows = json.loads(path.read_text())
            out[f"{folder}/{path.stem}"] = list(dict.fromkeys(r["Language Query"].strip() for r in rows))
    return out


def summarize(texts: list[str], queries: list, seconds: float) -> dict:
    n = len(queries)
    unknown = Counter(w for q in queries for w in q.unknown)
    predicates = Counter(p.name for q in queries for p in q.predicates)
    return {
        "queries": n,
        "with_predicate": sum(q.understood for q in queries) / n,
        "with_category": sum(q.category is not None for q in queries) / n,
        "fully_understood": sum(not q.unknown for q in queries) / n,
        "top_unknown": unknown.most_common(20),
        "predicates": dict(predicates.most_common()),
        "ms_per_query": 1000 * seconds / n,
        "examples_not_understood": [q.text for q in queries if not q.understood][:15],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("SVAG_SHARED_DATA", str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--data", type=Path, default=Path(default), help="the real-data pack (default: %(default)s)")
    ap.add_argument("--no-embedder", action="store_true", help="rules only")
    ap.add_argument("--out", type=Path, default=RESULTS / "query_parsing.json")
    args = ap.parse_args()
    embedder = False if args.no_embedder else None
    srcs = sources(args.data)
    everything = list(dict.fromkeys(t for ts in srcs.values() for t in ts))

    t0 = time.perf_counter()
    parsed_all = parse_queries(everything, embedder=embedder)       # cold: loads the model
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    parse_queries(everything, embedder=embedder)                    # warm
    warm = time.perf_counter() - t0
    by_text = dict(zip(everything, parsed_all))

    report = {"embedder": "none" if args.no_embedder else "all-MiniLM-L6-v2 (auto)",
              "machine": platform.platform(), "python": platform.python_version(),
              "all": {"distinct_queries": len(everything), "cold_s": cold, "warm_s": warm,
                      "cold_ms_per_query": 1000 * cold / len(everything),
                      "warm_ms_per_query": 1000 * warm / len(everything)},
              "sources": {}}
    header = f"{'source':<42}{'n':>6}{'pred':>8}{'categ':>8}{'all words':>11}{'ms/q':>8}"
    print(header)
    print("-" * len(header))
    for name, texts in srcs.items():
        t0 = time.perf_counter()
        parse_queries(texts, embedder=embedder)
        s = summarize(texts, [by_text[t] for t in texts], time.perf_counter() - t0)
        report["sources"][name] = s
        print(f"{name:<42}{s['queries']:>6}{100 * s['with_predicate']:>7.1f}%{100 * s['with_category']:>7.1f}%"
              f"{100 * s['fully_understood']:>10.1f}%{s['ms_per_query']:>8.2f}")
    print(f"\nall {len(everything)} distinct queries: {cold:.2f} s cold (model load included), "
          f"{warm:.2f} s warm ({1000 * warm / len(everything):.2f} ms/query)")
    for name, s in report["sources"].items():
        print(f"\n{name}: top unknown words")
        print("  " + ", ".join(f"{w} ({c})" for w, c in s["top_unknown"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
