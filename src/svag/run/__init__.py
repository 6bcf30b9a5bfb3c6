"""Running things: the grounding pipeline (:mod:`svag.run.pipeline`), the scene builder
(:mod:`svag.run.scene`), the benchmark runner (:mod:`svag.run.bench`) and batch runs. Above the
stages (detect, track, encode, ground) and below the CLI; nothing in the stages imports it.

Batch runs: many videos through one grounding configuration, in one process, a local process
pool, or on Ray (local or a cluster), with per-video atomic outputs, resume and a summary.

- :mod:`svag.run.manifest`: what to run (videos, their queries, optional tracks files);
- :mod:`svag.run.pool`: where to run it (sequential, process pool, Ray actors), one code path;
- :mod:`svag.run.ray_session`: starting Ray on this machine without any off-machine traffic;
- :mod:`svag.run.batch`: the batch itself (workers, resume, progress, merged prediction).

Ray is optional (``pip install 'svag[ray]'``) and only imported when asked for.
"""
