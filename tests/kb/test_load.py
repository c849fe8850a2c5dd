"""Building the knowledge base: idempotent, fast, keeps other tables, takes a sixth plan with no code change,
and works on PostgreSQL as on SQLite."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot.kb import models
from bot.kb.db import make_engine
from bot.kb.load import build
from bot.kb.service import open_knowledge_base
from bot.settings import Settings
from tests.support.postgres import temporary_postgres


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table: session.scalar(select(func.count()).select_from(model)) or 0
            for table, model in [
                ("documents", models.Document),
                ("clauses", models.Clause),
                ("tasks", models.Task),
                ("agencies", models.Agency),
                ("roles", models.ClauseAgency),
                ("tags", models.Tag),
                ("leaders", models.LeadershipMember),
                ("topics", models.Topic),
            ]
        }


def test_build_twice_gives_the_same_tables_and_is_fast(fresh_settings: Settings) -> None:
    engine = make_engine(fresh_settings.database_url)
    started = time.perf_counter()
    build(engine, fresh_settings)
    first_seconds = time.perf_counter() - started
    first = counts(engine)
    build(engine, fresh_settings)
    assert counts(engine) == first
    assert first["documents"] == 5 and first["clauses"] == 23 + 21 + 23 + 20 + 22 and first["tasks"] == 94
    assert first["leaders"] == 24 and first["topics"] >= 26
    assert first_seconds < 10, "make kb must stay well under 10 s"
    with Session(engine) as session:
        refs = session.scalars(select(models.Clause.ref).order_by(models.Clause.ref)).all()
    assert "guizhou/17" in refs and "xizang/7" in refs
    engine.dispose()


def test_rebuild_keeps_rows_of_other_tables(fresh_settings: Settings) -> None:
    engine = make_engine(fresh_settings.database_url)
    build(engine, fresh_settings)
    with engine.begin() as connection:
        connection.execute(text("create table cases (id integer primary key, clause_ref text)"))
        connection.execute(text("insert into cases (clause_ref) values ('guizhou/17')"))
    build(engine, fresh_settings)
    with engine.connect() as connection:
        assert connection.execute(text("select clause_ref from cases")).scalars().all() == ["guizhou/17"]
    engine.dispose()


def test_every_clause_and_task_is_tagged_with_a_topic_and_its_sentence(kb_settings: Settings) -> None:
    engine = make_engine(kb_settings.database_url)
    with Session(engine) as session:
        tag = session.scalars(
            select(models.Tag)
            .join(models.Clause)
            .where(models.Clause.ref == "guizhou/17", models.Tag.topic_id == "ip_insurance")
        ).one()
        assert tag.sentences == ["鼓励保险机构开展知识产权涉外保险业务。"]
        untagged_clauses = session.scalars(
            select(models.Clause.ref).where(
                ~select(models.Tag.id).where(models.Tag.clause_id == models.Clause.id).exists()
            )
        ).all()
    engine.dispose()
    # A few general clauses (organisation, assessment) have no enterprise topic; none of the substantive ones.
    assert len(untagged_clauses) <= 12, untagged_clauses


SIXTH_PLAN = """某某市强化知识产权保护工作方案
一、主要任务
（一）加强海外知识产权维权援助。建立海外维权专家库，为出口企业提供维权援助。（市商务局牵头，市市场监管局按职责分工负责）
（二）推进知识产权质押融资。扩大知识产权质押融资规模。（市金融办牵头）
"""


def test_a_sixth_plan_needs_a_file_a_manifest_entry_and_a_build(tmp_path: Path) -> None:
    project = Settings()
    seeds = tmp_path / "seeds"
    shutil.copytree(project.seeds_dir, seeds)
    (seeds / "zhejiang-hangzhou-fangan.txt").write_text(SIXTH_PLAN, encoding="utf-8")
    with (seeds / "manifest.yml").open("a", encoding="utf-8") as manifest:
        manifest.write(
            "\n  - id: hangzhou\n    file: zhejiang-hangzhou-fangan.txt\n    region: 浙江省杭州市\n"
            "    province: 浙江省\n    level: county\n    title: 某某市强化知识产权保护工作方案\n    issuer: null\n"
            "    doc_number: null\n    date: null\n    status: 试行\n    parent: null\n"
        )
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}", seeds_dir=seeds)
    engine = make_engine(settings.database_url)
    build(engine, settings)
    engine.dispose()

    kb = open_knowledge_base(settings)
    hits = kb.by_topic("overseas_assistance", "杭州")
    assert hits[0].item.ref == "hangzhou/1"
    assert [(a.name, a.role) for a in hits[0].item.agencies] == [("市商务局", "lead"), ("市市场监管局", "responsible")]
    assert kb.search("浙江能做质押融资吗")[0].item.ref == "hangzhou/2"
    assert kb.scope("浙江").documents[0].title == "某某市强化知识产权保护工作方案"


@pytest.mark.postgres
def test_build_and_query_on_postgresql() -> None:
    with temporary_postgres() as url:
        settings = Settings(database_url=url)
        engine = make_engine(url)
        build(engine, settings)
        build(engine, settings)  # idempotent there too
        assert counts(engine)["clauses"] == 109
        assert engine.dialect.name == "postgresql"
        engine.dispose()
        kb = open_knowledge_base(settings)
        clause = kb.clause("贵州", "17")
        assert clause.leads[0].name == "省商务厅"
        assert kb.task("云南", "57").deadline == "2021年12月底前完成"
        assert kb.search("贵州企业海外维权找谁")[0].item.ref == "guizhou/17"
