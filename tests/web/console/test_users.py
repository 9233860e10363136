"""Console users: argon2 passwords, validation of name, role, district and password, sign-in that
does not reveal which names exist, deactivation and password reset."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.console.errors import AccountDisabled, DuplicateUser, InvalidUser, SignInFailed
from bot.web.console.models import ConsoleSession, ConsoleUser, Role
from bot.web.console.sessions import SessionPolicy, start_session
from bot.web.console.users import (
    authenticate,
    change_role,
    create_user,
    prepare_sign_in,
    reset_password,
    set_active,
    validate_role_change,
)
from tests.web.console.conftest import NOW

POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_password_is_kept_only_as_an_argon2_hash_that_verifies(engine, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        user = create_user(session, name="zhangsan", role=Role.operator, now=NOW, password="热线 password 1",
                           knowledge=knowledge)
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(ConsoleUser.password_hash).where(ConsoleUser.name == "zhangsan")).one()
        assert stored.startswith("$argon2id$")
        assert "password" not in stored
        assert authenticate(session, name="zhangsan", password="热线 password 1").id == user.id


@pytest.mark.parametrize("password, accepted", [("x" * 9, False), ("x" * 10, True), ("x" * 128, True),
                                                ("x" * 129, False), (" " * 12, False)])
def test_passwords_need_ten_to_128_characters(engine, knowledge, fast_passwords, password, accepted):
    with Session(engine) as session:
        if accepted:
            create_user(session, name="lisi", role="operator", now=NOW, password=password, knowledge=knowledge)
            session.commit()
        else:
            with pytest.raises(InvalidUser) as refused:
                create_user(session, name="lisi", role="operator", now=NOW, password=password, knowledge=knowledge)
            assert refused.value.field == "password"
            session.commit()
    assert _count(engine, ConsoleUser) == (1 if accepted else 0)


def test_a_password_equal_to_the_name_is_refused(engine, knowledge, fast_passwords):
    with Session(engine) as session, pytest.raises(InvalidUser) as refused:
        create_user(session, name="wangwu12345", role="operator", now=NOW, password="WangWu12345", knowledge=knowledge)
    assert "不能与用户名相同" in knowledge.messages.explain(refused.value)


def test_district_supervisors_need_a_known_district_and_get_its_canonical_name(engine, knowledge, fast_passwords):
    with Session(engine) as session:
        with pytest.raises(InvalidUser) as missing:
            create_user(session, name="d1", role="district_supervisor", now=NOW, password="p" * 10, knowledge=knowledge)
        assert missing.value.field == "district"
        assert "须指定所属区" in knowledge.messages.explain(missing.value)
        with pytest.raises(InvalidUser) as unknown:
            create_user(session, name="d1", role="district_supervisor", now=NOW, district="朝阳区", password="p" * 10,
                        knowledge=knowledge)
        assert "没有这个区" in knowledge.messages.explain(unknown.value)
        user = create_user(session, name="d1", role="district_supervisor", now=NOW, district="西海岸", password="p" * 10,
                           knowledge=knowledge)
        assert user.district == "黄岛区"


@pytest.mark.parametrize("role", ["operator", "city_supervisor", "admin"])
def test_only_district_supervisors_may_have_a_district(engine, knowledge, fast_passwords, role):
    with Session(engine) as session, pytest.raises(InvalidUser) as refused:
        create_user(session, name="u1", role=role, now=NOW, district="李沧区", password="p" * 10, knowledge=knowledge)
    assert refused.value.field == "district"
    assert "只有区级监管人员" in knowledge.messages.explain(refused.value)


def test_unknown_role_is_refused_naming_the_choices(engine, knowledge, fast_passwords):
    with Session(engine) as session, pytest.raises(InvalidUser) as refused:
        create_user(session, name="u1", role="boss", now=NOW, password="p" * 10, knowledge=knowledge)
    assert re.search("未知的角色 boss.*话务员", knowledge.messages.explain(refused.value))


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "a", "x" * 33, "张 三", "", "tab\tname", "a'b"])
def test_names_outside_letters_digits_and_dot_underscore_dash_at_are_refused(engine, knowledge, fast_passwords,
                                                                              name):
    with Session(engine) as session, pytest.raises(InvalidUser) as refused:
        create_user(session, name=name, role="operator", now=NOW, password="p" * 10, knowledge=knowledge)
    assert refused.value.field == "name"
    assert _count(engine, ConsoleUser) == 0


def test_a_taken_name_is_refused_also_in_full_width_letters(engine, knowledge, fast_passwords):
    with Session(engine) as session:
        create_user(session, name="admin1", role="admin", now=NOW, password="p" * 10, knowledge=knowledge)
        session.commit()
        with pytest.raises(DuplicateUser) as taken:
            create_user(session, name="ａｄｍｉｎ１", role="operator", now=NOW, password="q" * 10, knowledge=knowledge)
        assert "用户名 admin1 已存在" in knowledge.messages.explain(taken.value)
    assert _count(engine, ConsoleUser) == 1


def test_chinese_names_sign_in_as_typed(engine, knowledge, fast_passwords):
    with Session(engine) as session:
        create_user(session, name="张三", role="operator", now=NOW, password="p" * 10, knowledge=knowledge)
        session.commit()
        assert authenticate(session, name=" 张三 ", password="p" * 10).name == "张三"


def test_unknown_name_and_wrong_password_get_the_same_message(engine, accounts, knowledge):
    with Session(engine) as session:
        with pytest.raises(SignInFailed) as wrong:
            authenticate(session, name="admin1", password="wrong-password")
        with pytest.raises(SignInFailed) as unknown:
            authenticate(session, name="nobody", password="wrong-password")
        with pytest.raises(SignInFailed) as huge:
            authenticate(session, name="admin1", password="x" * 100_000)
    said = {knowledge.messages.explain(e.value) for e in (wrong, unknown, huge)}
    assert said == {knowledge.messages.text("console_sign_in_failed")}


def test_unknown_name_takes_as_long_as_a_wrong_password(engine, knowledge):
    """With the real argon2 parameters: without a stand-in hash, an unknown name would answer in
    about a millisecond and a wrong password in a few hundred."""
    with Session(engine) as session:
        create_user(session, name="timing1", role="operator", now=NOW, password="p" * 10, knowledge=knowledge)
        session.commit()
        prepare_sign_in()

        def cost(name: str) -> float:
            start = time.perf_counter()
            with pytest.raises(SignInFailed):
                authenticate(session, name=name, password="wrong-password")
            return time.perf_counter() - start

        wrong = min(cost("timing1") for _ in range(3))
        unknown = min(cost("nobody-at-all") for _ in range(3))
    assert unknown > 0.5 * wrong, (unknown, wrong)


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out_everywhere(engine, accounts, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(ConsoleUser, accounts["operator"].id)
        start_session(session, user=user, now=NOW, policy=POLICY)
        set_active(session, user=user, active=False)
        session.commit()
        with pytest.raises(SignInFailed) as refused:
            authenticate(session, name="operator1", password="operator-password-1")
        assert knowledge.messages.explain(refused.value) == knowledge.messages.text("console_account_disabled")
        with pytest.raises(SignInFailed) as wrong:  # a wrong password still says only that
            authenticate(session, name="operator1", password="guessing-password")
        assert knowledge.messages.explain(wrong.value) == knowledge.messages.text("console_sign_in_failed")
    assert _count(engine, ConsoleSession) == 0


def test_a_reset_password_replaces_the_old_one_and_ends_the_sessions(engine, accounts):
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(ConsoleUser, accounts["city_supervisor"].id)
        start_session(session, user=user, now=NOW, policy=POLICY)
        with pytest.raises(InvalidUser):
            reset_password(session, user=user, password="short")
        reset_password(session, user=user, password="a-new-password-2")
        session.commit()
        with pytest.raises(SignInFailed):
            authenticate(session, name="city1", password="city-password-1")
        assert authenticate(session, name="city1", password="a-new-password-2").id == user.id
    assert _count(engine, ConsoleSession) == 0


def test_a_deactivated_account_with_its_right_password_is_told_apart_from_a_guess(engine, accounts):
    with Session(engine) as session:
        set_active(session, user=session.get(ConsoleUser, accounts["operator"].id), active=False)
        session.commit()
        with pytest.raises(AccountDisabled):  # not counted against the name by the sign-in throttle
            authenticate(session, name="operator1", password="operator-password-1")
        with pytest.raises(SignInFailed) as wrong:
            authenticate(session, name="operator1", password="guessing-password")
        assert not isinstance(wrong.value, AccountDisabled)


def test_a_change_of_role_ends_the_users_sessions_and_takes_the_canonical_district(engine, accounts, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(ConsoleUser, accounts["operator"].id)
        start_session(session, user=user, now=NOW, policy=POLICY)
        change_role(session, user=user, role="district_supervisor", district="李沧", knowledge=knowledge)
        session.commit()
        assert (user.role, user.district) == (Role.district_supervisor, "李沧区")
    assert _count(engine, ConsoleSession) == 0


def test_the_last_active_admin_keeps_the_role_while_the_other_admins_are_deactivated(engine, accounts, knowledge):
    with Session(engine) as session:
        other = create_user(session, name="admin2", role="admin", password="second-admin-1", now=NOW,
                            knowledge=knowledge)
        set_active(session, user=other, active=False)
        admin = session.get(ConsoleUser, accounts["admin"].id)
        with pytest.raises(InvalidUser) as refused:
            validate_role_change(session, user=admin, role="operator", district=None, knowledge=knowledge)
        assert refused.value.code == "console_user_last_admin"
        set_active(session, user=other, active=True)
        assert validate_role_change(session, user=admin, role="operator", district=None,
                                    knowledge=knowledge) == (Role.operator, None)
        assert admin.role is Role.admin  # validating changes nothing
