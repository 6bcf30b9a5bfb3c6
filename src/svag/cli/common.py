"""Helpers shared by the CLI subcommands."""
from __future__ import annotations

from svag.cli.validate import check_outputs as _check_outputs


def check_outputs(force: bool, *paths: str | None) -> None:
    """Refuse to overwrite an existing output file unless ``--force`` was given; outputs must be
    distinct files in writable folders (see :func:`svag.cli.validate.check_outputs`)."""
    _check_outputs(force, list(paths))
