"""``python -m bot.kb build`` — (re)build the knowledge base; ``python -m bot.kb dict`` — regenerate data/dict/."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from bot.kb.db import make_engine
from bot.kb.dictionary import write_dictionary
from bot.kb.load import build
from bot.kb.manifest import ManifestError
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb", description="知识库构建")
    parser.add_argument("command", choices=["build", "dict"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    started = time.perf_counter()
    try:
        if args.command == "dict":
            for path in write_dictionary(settings):
                print(f"写入 {path}")
            return 0
        engine = make_engine(settings.database_url)
        report = build(engine, settings)
        engine.dispose()
    except (ManifestError, OSError, UnicodeDecodeError) as error:
        print(f"知识库构建失败：{error}", file=sys.stderr)
        return 1
    print(
        f"知识库已构建（{engine.url.render_as_string(hide_password=True)}，{time.perf_counter() - started:.1f} 秒）："
    )
    for line in report.lines():
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
