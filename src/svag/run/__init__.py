"""Running things: the grounding pipeline (:mod:`svag.run.pipeline`), the scene builder
(:mod:`svag.run.scene`) and the benchmark runner (:mod:`svag.run.bench`). Above the stages
(detect, track, encode, ground) and below the CLI; nothing in the stages imports it."""
