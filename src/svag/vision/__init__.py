"""Vision–language models through Hugging Face ``transformers`` (an optional extra: ``svag[vlm]``).

Nothing here is imported by the default offline path (motion detector, kinematic grounder);
``transformers`` and ``torch`` are imported only when a vision stage is built. Checkpoints are
loaded by hub id or local folder, offline first (:mod:`svag.vision.loading`).
"""
