"""Atomic outputs: every file or folder svag writes appears complete under its final name, or not at all.

Content is written under a temporary name in the same folder (``.NAME.svagtmp-PID-RANDOM[.ext]``,
hidden, keeping the extension so that writers that pick a format by extension still work),
flushed to disk, and renamed onto the final name with :func:`os.replace` (atomic on POSIX within
one file system). A run killed at any moment therefore leaves at most a hidden temporary entry,
never a truncated file under the final name, and nothing that blocks the next run: the next write
to the same name removes temporaries whose process is gone.

* :func:`atomic_path` -- a temporary *path* to hand to a writer (PyAV, torch.save, ...);
* :func:`atomic_open` -- a temporary *file object* (text or binary);
* :func:`write_text` / :func:`write_bytes` -- one call;
* :func:`atomic_dir` -- a temporary *folder* (synthetic datasets, caches), swapped in at the end;
* :func:`atomic_outputs` -- several outputs of one command committed together at the end (a
  failure before the end writes none of them).
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import IO, Any, Iterator

PathLike = str | os.PathLike
TMP_TAG = ".svagtmp-"
OLD_TAG = "-old"       # a previous folder moved aside by atomic_dir; never swept (it may hold kept files)


def temp_name(path: Path, *, keep_ext: bool = True) -> Path:
    """A fresh temporary sibling of ``path`` (keeping its extension unless ``keep_ext`` is False)."""
    suffix = ("".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix) if keep_ext else ""
    return path.with_name(f".{path.name}{TMP_TAG}{os.getpid()}-{os.urandom(4).hex()}{suffix}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(path: PathLike) -> int:
    """Remove temporaries of ``path`` left by processes that no longer run (a killed earlier
    run). Returns how many were removed."""
    path = Path(path)
    prefix = f".{path.name}{TMP_TAG}"
    removed = 0
    try:
        entries = list(path.parent.iterdir()) if path.parent.is_dir() else []
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if entry.name.endswith(OLD_TAG) or not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        _remove(entry)
        removed += 1
    return removed


def _remove(entry: Path) -> None:
    with contextlib.suppress(OSError):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (best effort: some filesystems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for f in files:
            _fsync(Path(dirpath) / f)
        _fsync(Path(dirpath))


def prepare_target(path: PathLike) -> Path:
    """Create the folders above ``path`` and remove temporaries a killed run left for it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(path)
    return path


def commit_file(tmp: Path, final: Path) -> None:
    """Flush ``tmp`` to disk and rename it onto ``final``."""
    _fsync(tmp)
    os.replace(tmp, final)
    _fsync(final.parent)


@contextlib.contextmanager
def atomic_path(path: PathLike, *, same_name: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without an exception the file
    written there is flushed and renamed onto ``path``, otherwise it is removed.

    ``same_name``: the temporary file has ``path``'s own name, inside a hidden temporary folder
    (for writers that record their file's name in the content, such as ``torch.save``)."""
    final = prepare_target(path)
    holder = temp_name(final, keep_ext=False) if same_name else None
    if holder is not None:
        holder.mkdir()
    tmp = holder / final.name if holder is not None else temp_name(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to the temporary file of {final}")
        commit_file(tmp, final)
        if holder is not None:
            holder.rmdir()
    except BaseException:
        _remove(holder if holder is not None else tmp)
        raise


@contextlib.contextmanager
def atomic_open(path: PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode)`` that only replaces ``path`` when the block completes."""
    if not mode.startswith("w"):
        raise ValueError(f"atomic_open writes files; mode must start with 'w', got {mode!r}")
    with atomic_path(path) as tmp:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_text(path: PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_dir(path: PathLike, *, keep: tuple[str, ...] | None = None) -> Iterator[Path]:
    """Yield a new temporary folder beside ``path``; on success it replaces ``path``.

    An existing ``path`` is moved aside (``.NAME.svagtmp-PID-…-old``), the new folder renamed
    into place, the entries named in ``keep`` carried over from the old one when the new one
    lacks them (None: every such entry; ``()``: none), and the old one removed. A run killed
    during these renames leaves the old folder under its hidden name, never removed
    automatically, so nothing the user kept can be lost."""
    final = prepare_target(path)
    tmp = temp_name(final, keep_ext=False)
    tmp.mkdir()
    try:
        yield tmp
        _fsync_tree(tmp)
        if final.exists():
            if not final.is_dir():
                raise NotADirectoryError(f"{final} exists and is not a folder")
            old = final.with_name(f".{final.name}{TMP_TAG}{os.getpid()}-{os.urandom(4).hex()}{OLD_TAG}")
            os.rename(final, old)
            os.rename(tmp, final)
            for entry in old.iterdir():       # carried over after the swap: a kill never loses them
                if (keep is None or entry.name in keep) and not (final / entry.name).exists() \
                        and TMP_TAG not in entry.name:
                    os.rename(entry, final / entry.name)
            _remove(old)
        else:
            os.rename(tmp, final)
        _fsync(final.parent)
    except BaseException:
        _remove(tmp)
        raise


@contextlib.contextmanager
def atomic_outputs(*paths: PathLike | None) -> Iterator[list[Path | None]]:
    """Temporary paths for several output files of one command (None stays None); all are
    renamed onto their final names together when the block completes, none on failure."""
    finals = [None if p is None else prepare_target(p) for p in paths]
    tmps = [None if f is None else temp_name(f) for f in finals]
    try:
        yield tmps
        for tmp, final in zip(tmps, finals):
            if tmp is not None and final is not None and tmp.exists():
                _fsync(tmp)
        for tmp, final in zip(tmps, finals):
            if tmp is not None and final is not None and tmp.exists():
                os.replace(tmp, final)
                _fsync(final.parent)
    except BaseException:
        for tmp in tmps:
            if tmp is not None:
                _remove(tmp)
        raise
