"""Train the tiny CLIP committed under tests/models/tiny-clip-synth (deterministic, CPU, minutes).

    PYTHONPATH=src python benchmarks/train_tiny_clip.py tests/models/tiny-clip-synth

Its crops come from synthetic videos of seeds 0..; the grounding tests and the scores in
docs/vision.md use videos generated with other seeds (never seen in training)."""
import argparse

from svag.vision.train_tiny import train_tiny_clip

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output folder (save_pretrained layout)")
    ap.add_argument("--videos", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import torch
    torch.set_num_threads(2)
    train_tiny_clip(args.out, videos=args.videos, epochs=args.epochs, seed=args.seed)
