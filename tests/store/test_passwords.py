"""Issue 20 N11: a password of 12 spaces was accepted and worked. Blank, one-character, name-bearing and common
passwords are refused, for new accounts and for ``passwd``; a long passphrase is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.db import make_engine
from bot.store.passwords import problem
from bot.store.records import ensure_tables
from bot.store.staff import AccountError, create_account, set_password, verify_password

REFUSED = [
    " " * 12,
    " " * 40,
    "\t" * 12,
    "   short   ",
    "aaaaaaaaaaaa",
    "121212121212",
    "123456789012",
    "098765432109",
    "201912312019",
    "password1234",
    "Password2024!",
    "P@ssw0rd2026",
    "qwertyuiop12",
    "1qaz2wsx3edc",
    "woaini1314520",
    "adminadminadmin",
    "!!iloveyou!!",
    "wang-secret-2026",  # contains the account name
]


@pytest.mark.parametrize("password", REFUSED)
def test_weak_passwords_are_refused(password: str) -> None:
    assert problem(password, "wang") is not None


@pytest.mark.parametrize("password", ["correct horse battery staple", "知识产权热线值班2026春", "t7#Qm2!vX9pL"])
def test_real_passwords_pass(password: str) -> None:
    assert problem(password, "wang") is None


def test_the_command_line_refuses_them_for_new_and_changed_passwords(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    ensure_tables(engine)
    with pytest.raises(AccountError, match="首尾空格不计"):
        create_account(engine, "li", " " * 12)
    create_account(engine, "li", "correct horse battery staple")
    with pytest.raises(AccountError, match="太常见"):
        set_password(engine, "li", "password1234")
    assert verify_password(engine, "li", "correct horse battery staple")
    assert not verify_password(engine, "li", " " * 12)
    engine.dispose()
