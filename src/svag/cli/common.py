"""Helpers shared by the CLI subcommands."""
from __future__ import annotations

from pathlib import Path

from svag.errors import InputError


def check_outputs(force: bool, *paths: str | None) -> None:
    """Refuse to overwrite an existing output file unless ``--force`` was given."""
    for out in paths:
        if out and Path(out).exists() and not force:
            raise InputError("output file exists; pass --force to overwrite it", file=out)
