"""A stack of our own for a test or a benchmark: a knowledge base built into a scratch database, and a
StackConfig on free loopback ports (any number of Rasa replicas)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bot.kb.db import make_engine
from bot.kb.load import build
from bot.launcher import StackConfig, default_config
from bot.settings import Settings
from tests.support.ports import free_port


def scratch_knowledge_base(root: Path) -> Settings:
    """Settings whose database (a SQLite file under ``root``) holds a freshly built knowledge base."""
    settings = Settings(database_url=f"sqlite:///{root / 'app.sqlite3'}")
    engine = make_engine(settings.database_url)
    build(engine, settings)
    engine.dispose()
    return settings


def free_ports(replicas: int = 1) -> dict[str, Any]:
    """Fresh ports for every server of a stack, as StackConfig fields."""
    return {
        "rasa_port": free_port(),
        "extra_rasa_ports": tuple(free_port() for _ in range(replicas - 1)),
        "action_port": free_port(),
        "gateway_port": free_port(),
    }


def local_stack(root: Path, replicas: int = 1, **fields: Any) -> StackConfig:
    """A StackConfig for the trained model, a scratch knowledge base, a SQLite tracker store and free ports;
    ``fields`` override any of them (tracker_url, extra_env, gateway_env …)."""
    settings = scratch_knowledge_base(root)
    config = StackConfig(
        model=default_config().model,
        database_url=settings.database_url,
        tracker_url=f"sqlite:///{root / 'tracker.sqlite3'}",
        log_dir=root / "log",
        **free_ports(replicas),
    )
    return dataclasses.replace(config, **fields)


def moved(config: StackConfig, root: Path, replicas: int = 1, **fields: Any) -> StackConfig:
    """The same model and knowledge base on fresh ports, with its own logs (and tracker, unless given)."""
    defaults = {"tracker_url": f"sqlite:///{root / 'tracker.sqlite3'}", "log_dir": root / "log"}
    return dataclasses.replace(config, **{**defaults, **free_ports(replicas), **fields})
