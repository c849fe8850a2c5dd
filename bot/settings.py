"""Settings read once by entry points (``__main__`` modules) and passed down; nothing reads the environment
at import time. Tests build ``Settings(...)`` directly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'kb.sqlite3'}"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    topics_file: Path = PROJECT_ROOT / "data" / "topics.yml"
    regions_file: Path = PROJECT_ROOT / "data" / "regions.yml"
    dict_dir: Path = PROJECT_ROOT / "data" / "dict"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            seeds_dir=Path(env.get("SEEDS_DIR") or defaults.seeds_dir),
        )
