"""The `landmap overlay` command (filled in by the negotiation work, issue 7)."""

from __future__ import annotations

from typing import Any


def add_overlay_commands(sub: Any) -> None:
    """Register the `overlay` command on the `landmap` parser's subcommands."""
