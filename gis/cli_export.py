"""The `landmap export` command (filled in by the negotiation work, issue 7)."""

from __future__ import annotations

from typing import Any


def add_export_commands(sub: Any) -> None:
    """Register the `export` command on the `landmap` parser's subcommands."""
