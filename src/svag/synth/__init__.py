"""Synthetic SVAG benchmarks: scripted actors drawn into real video files, with exact ground truth.

* :func:`generate_benchmark` -- N videos (MP4 + MOTChallenge sequence folders) and ``gt.json``.
* :func:`generate_clip` -- one small in-memory video (random, or scripted with :class:`ActorSpec`).
* :class:`SceneSpec`, :class:`ActorSpec`, :class:`Step`, :class:`Occluder` -- scripting a scene.
"""
from svag.synth.benchmark import (BenchmarkInfo, SynthVideo, benchmark_video, generate_benchmark, generate_clip,
                                  make_video, render_video)
from svag.synth.files import DetConfig
from svag.synth.render import Renderer
from svag.synth.scene import ActorSpec, Occluder, SceneSpec, Segment, Step, simulate

__all__ = ["ActorSpec", "BenchmarkInfo", "DetConfig", "Occluder", "Renderer", "SceneSpec", "Segment", "Step",
           "SynthVideo", "benchmark_video", "generate_benchmark", "generate_clip", "make_video", "render_video", "simulate"]
