"""The `landmap report` command (filled in by the negotiation work, issue 7)."""

from __future__ import annotations

from typing import Any


def add_report_commands(sub: Any) -> None:
    """Register the `report` command on the `landmap` parser's subcommands."""
