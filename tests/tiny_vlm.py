"""Tiny, randomly initialised video-chat models (Qwen2.5-VL, LLaVA-OneVision families) with a
word-level tokenizer and chat template, built and saved offline by the tests."""
from __future__ import annotations

from pathlib import Path

WORDS = ["Yes", "No", "yes", "no", "user", "assistant", "system", "Does", "the", "object", "in", "red", "box",
         "a", "person", "car", "dog", "walk", "walks", "left", "right", "?", "Answer", "or", ".", "frames",
         "these", "of", "video", "do", "this", ":", "'", "with", "Is", "to", "is", "doing", "action", "shown",
         "Look", "at", "marked", "crop", "centre", "Frame"]
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>",
           "<|video_pad|>", "<image>", "<video>"]
QWEN_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
LLAVA_TEMPLATE = QWEN_TEMPLATE.replace("<|vision_start|><|image_pad|><|vision_end|>", "<image>").replace(
    "<|vision_start|><|video_pad|><|vision_end|>", "<video>")


def _tokenizer():
    import transformers as T
    from tokenizers import Tokenizer, models, pre_tokenizers
    vocab = {w: i for i, w in enumerate(WORDS)}
    vocab["[UNK]"] = len(vocab)
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    fast = T.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="<|endoftext|>",
                                    eos_token="<|im_end|>")
    fast.add_special_tokens({"additional_special_tokens": SPECIAL[1:], "pad_token": SPECIAL[0]})
    return fast


def _text_config(tok, **kw) -> dict:
    return dict(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048, **kw)


def build_tiny_qwen(path: Path, seed: int = 0) -> Path:
    import torch
    import transformers as T
    torch.manual_seed(seed)
    tok = _tokenizer()
    ids = tok.convert_tokens_to_ids
    cfg = T.Qwen2_5_VLConfig(
        text_config=_text_config(tok, rope_scaling={"type": "mrope", "rope_type": "default", "mrope_section": [2, 3, 3]}),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=4, out_hidden_size=64,
                           patch_size=14, spatial_merge_size=2, temporal_patch_size=2, fullatt_block_indexes=[1],
                           window_size=56),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"))
    model = T.Qwen2_5_VLForConditionalGeneration(cfg).eval()
    ip = T.Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=112 * 112)
    return _save(path, model, tok, ip, QWEN_TEMPLATE, {"processor_class": "Qwen2_5_VLProcessor"})


def build_tiny_qwen3_vl(path: Path, seed: int = 0) -> Path:
    """Qwen3-VL: 16-pixel patches and deepstack features (visual tokens added inside the LLM)."""
    import torch
    import transformers as T
    torch.manual_seed(seed)
    tok = _tokenizer()
    ids = tok.convert_tokens_to_ids
    cfg = T.Qwen3VLConfig(
        text_config=_text_config(tok, head_dim=16,
                                 rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                                  "mrope_section": [2, 3, 3], "mrope_interleaved": True}),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=4, out_hidden_size=64,
                           patch_size=16, spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                           deepstack_visual_indexes=[0, 1]),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"))
    model = T.Qwen3VLForConditionalGeneration(cfg).eval()
    ip = T.Qwen2VLImageProcessorPil(min_pixels=64 * 64, max_pixels=128 * 128, patch_size=16)
    return _save(path, model, tok, ip, QWEN_TEMPLATE, {"processor_class": "Qwen3VLProcessor"})


def _save(path: Path, model, tok, image_processor, template: str, processor_config: dict) -> Path:
    """What a hub checkpoint holds: weights + config, tokenizer, image processor, processor
    config and chat template (written part by part: the processor's video half needs torchvision)."""
    import json
    path = Path(path)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    image_processor.save_pretrained(path)
    (path / "processor_config.json").write_text(json.dumps(processor_config))
    (path / "chat_template.jinja").write_text(template)
    return path


def build_tiny_llava_onevision(path: Path, seed: int = 0) -> Path:
    import torch
    import transformers as T
    torch.manual_seed(seed)
    tok = _tokenizer()
    ids = tok.convert_tokens_to_ids
    cfg = T.LlavaOnevisionConfig(
        text_config=_text_config(tok, model_type="qwen2"),
        vision_config=dict(model_type="siglip_vision_model", hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=4, image_size=56, patch_size=14),
        image_token_id=ids("<image>"), video_token_id=ids("<video>"), vision_feature_layer=-1,
        image_grid_pinpoints=[[56, 56]], vision_aspect_ratio="anyres_max_1")
    model = T.LlavaOnevisionForConditionalGeneration(cfg).eval()
    ip = T.LlavaOnevisionImageProcessorPil(size={"height": 56, "width": 56}, image_grid_pinpoints=[[56, 56]],
                                           crop_size={"height": 56, "width": 56})
    return _save(path, model, tok, ip, LLAVA_TEMPLATE,
                 {"processor_class": "LlavaOnevisionProcessor", "num_image_tokens": (56 // 14) ** 2,
                  "vision_feature_select_strategy": "full", "vision_aspect_ratio": "anyres_max_1"})
