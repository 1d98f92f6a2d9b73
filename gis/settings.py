"""Landmap's settings: one frozen object, read from the environment and an optional TOML file,
and passed explicitly (DESIGN.md §9). No module reads the environment on its own."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from gis.errors import InputError

ENV_PREFIX = "LANDMAP_"
SETTINGS_ENV = "LANDMAP_SETTINGS"  # path of a TOML file with a [landmap] table


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Environment variables are the field names in upper case with
    the ``LANDMAP_`` prefix (``LANDMAP_BASEMAP_URL``); they win over the TOML file."""

    store: str | None = None
    # The map has no basemap by default: it works offline. A tile URL template
    # (``https://tile.example/{z}/{x}/{y}.png`` or a local tile server) adds one.
    basemap_url: str | None = None
    basemap_attribution: str | None = None
    lang: str = "th"


def load_settings(
    env: Mapping[str, str] | None = None, path: str | os.PathLike[str] | None = None
) -> Settings:
    """Settings from ``path`` (or ``$LANDMAP_SETTINGS``) and then the environment.

    Raises ``InputError`` naming the file and key for an unreadable file or an unknown key.
    """
    env = os.environ if env is None else env
    values: dict[str, str] = {}
    source = path if path is not None else env.get(SETTINGS_ENV)
    known = {f.name for f in fields(Settings)}
    if source:
        file = Path(source)
        try:
            table = tomllib.loads(file.read_text(encoding="utf-8")).get("landmap", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(
                f"อ่านไฟล์ตั้งค่าไม่ได้: {exc}", f"cannot read the settings file: {exc}",
                file=str(file), fix_th="ตรวจว่าไฟล์มีอยู่และเป็น TOML ที่มีตาราง [landmap]",
                fix_en="check that the file exists and is TOML with a [landmap] table",
            ) from exc
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(
                f"ไม่รู้จักค่าตั้ง {', '.join(unknown)}", f"unknown settings {', '.join(unknown)}",
                file=str(file), field=unknown[0],
                fix_th=f"ใช้ได้: {', '.join(sorted(known))}",
                fix_en=f"known: {', '.join(sorted(known))}",
            )
        values.update({k: str(v) for k, v in table.items()})
    for name in known:
        value = env.get(ENV_PREFIX + name.upper())
        if value:
            values[name] = value
    return Settings(**values)
