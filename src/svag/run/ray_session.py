"""Start Ray on this machine without any traffic off it.

Ray (2.60) probes cloud metadata services when it starts — HTTP to 169.254.169.254 and DNS
lookups of ``metadata.google.internal`` — even with usage stats disabled: its usage-stats head
module reads ``~/ray_bootstrap_config.yaml`` to learn the cloud provider and, when the file is
missing, asks the metadata services instead. Only that file, with ``provider: {type: local}``,
in the ``$HOME`` of the Ray processes stops it. So :func:`ray_session` starts local Ray with

- a temporary ``HOME`` holding that file (the Ray processes inherit it at start; this process
  gets its own ``HOME`` back right after),
- ``RAY_USAGE_STATS_ENABLED=0`` set before ``ray`` is imported,
- the node IP 127.0.0.1 and no dashboard.

``tests/test_batch_ray.py`` checks under ``strace`` that a batch run then connects to loopback
and local sockets only. Never call ``ray.init()`` for a local instance without this guard.
Connecting to an existing cluster (``address``) reaches that cluster, by design.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from svag.errors import MissingDependencyError

BOOTSTRAP_CONFIG = "ray_bootstrap_config.yaml"
# RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0: Ray's switch for single-machine instances. With it, the node
# IP stays 127.0.0.1 (otherwise Ray replaces a loopback _node_ip_address by the machine's address,
# found by "connecting" a UDP socket to 8.8.8.8, and binds its services there).
GUARD_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_USAGE_STATS_PROMPT_ENABLED": "0",
             "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def guard_environment() -> None:
    """Environment every Ray process of ours needs; call before ``import ray``."""
    os.environ.update(GUARD_ENV)


def _import_ray() -> Any:
    guard_environment()
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("ray", "ray", "running a batch on Ray (--ray)") from None
    return ray


def local_home() -> Path:
    """A temporary home for the Ray processes with the local-provider bootstrap config."""
    home = Path(tempfile.mkdtemp(prefix="svag-ray-home-"))
    (home / BOOTSTRAP_CONFIG).write_text("cluster_name: svag-local\nprovider:\n  type: local\n")
    return home


@contextmanager
def ray_session(address: str | None = None, *, num_cpus: int | None = None,
                num_gpus: int | None = None) -> Iterator[Any]:
    """``ray`` initialised: a new local instance (``address`` None or "local") started with the
    no-traffic guard, or a connection to the cluster at ``address``. Shut down on exit."""
    ray = _import_ray()
    if ray.is_initialized():          # the caller manages the session (tests share one)
        yield ray
        return
    home = local_home()
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        if address in (None, "local"):
            ray.init(address="local", num_cpus=num_cpus, num_gpus=num_gpus, _node_ip_address="127.0.0.1",
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except BaseException:
        _restore_home(old_home)
        shutil.rmtree(home, ignore_errors=True)
        raise
    _restore_home(old_home)   # the Ray processes keep the temporary home; this process gets its own back
    try:
        yield ray
    finally:
        ray.shutdown()
        shutil.rmtree(home, ignore_errors=True)


def _restore_home(old: str | None) -> None:
    if old is None:
        os.environ.pop("HOME", None)
    else:
        os.environ["HOME"] = old
