"""Vision–language models through Hugging Face ``transformers`` (an optional extra: ``svag[vlm]``).

Nothing here is imported by the default offline path (motion detector, kinematic grounder);
``transformers`` and ``torch`` are imported only when a vision stage is built. Checkpoints are
loaded by hub id or local folder, offline first (:mod:`svag.vision.loading`).

* :mod:`svag.vision.detectors`: open-vocabulary detectors ``owlv2``, ``grounding-dino``, ``omdet-turbo``;
* :mod:`svag.vision.crops`: the ``crops`` encoder: track crops sampled, read once from ``scene.frames``,
  embedded once, cached on disk;
* :mod:`svag.vision.embedder`: CLIP / SigLIP image and text embeddings;
* :mod:`svag.vision.grounders`: the ``clip`` and ``fusion`` grounders; :mod:`svag.vision.prompts`: their prompts;
* :mod:`svag.vision.tiny` / :mod:`svag.vision.train_tiny`: tiny offline checkpoints for tests and benchmarks.

Python::

    queries = ["a dog runs to the left", "a man in a red jacket waits"]
    vg = VideoGrounder(GroundConfig(detector="owlv2", grounder="fusion", grounder_args={"device": "cuda"}))
    scene = vg.prepare("video.mp4", prompts=queries)   # the detector looks for the queries' actors
    results = vg.ground(scene, queries)                 # crops embedded once (the crops encoder)
"""
