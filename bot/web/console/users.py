"""Console users: creation with validated name, role, district and password; sign-in; deactivation,
password reset and change of role by an administrator.

Passwords are stored only as argon2 hashes (pwdlib). Sign-in spends one argon2 verification
whether or not the name exists, and says the same thing for an unknown name and a wrong
password, so neither timing nor wording tells which names exist.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from functools import cache

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from bot.knowledge import Knowledge
from bot.web.console.errors import AccountDisabled, DuplicateUser, InvalidUser, SignInFailed, UnknownUser
from bot.web.console.models import NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, ConsoleSession, ConsoleUser, Role

# Letters of any script (张三, zhangsan), digits and . _ - @: a name is typed at sign-in and shown in
# the audit log, so spaces, markup and control characters have no place in it.
_NAME = re.compile(rf"^[\w.@-]{{2,{NAME_MAX}}}$")


@cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified when the name is unknown so that both failures cost the same."""
    return _hasher().hash(secrets.token_urlsafe(32))


def prepare_sign_in() -> None:
    """Make the stand-in hash now, so the first sign-in with an unknown name costs no more than later ones."""
    _dummy_hash()


def normalize_name(name: str) -> str:
    """The stored form of a sign-in name: NFKC (full-width Ａ → A), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", name or "").strip()


def validate_name(name: str) -> str:
    clean = normalize_name(name)
    if not clean:
        raise InvalidUser("console_user_name_missing", field="name")
    if len(clean) > NAME_MAX:
        raise InvalidUser("console_user_name_too_long", field="name", max=NAME_MAX)
    if not _NAME.match(clean):
        raise InvalidUser("console_user_name_invalid", field="name", max=NAME_MAX)
    return clean


def validate_password(password: str, *, name: str | None = None) -> str:
    if password is None or len(password) < PASSWORD_MIN:
        raise InvalidUser("console_password_too_short", field="password", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidUser("console_password_too_long", field="password", max=PASSWORD_MAX)
    if not password.strip():
        raise InvalidUser("console_password_blank", field="password")
    if name is not None and password.strip().casefold() == name.casefold():
        raise InvalidUser("console_password_is_name", field="password")
    return password


def validate_role(role: Role | str, *, knowledge: Knowledge | None = None) -> Role:
    try:
        return Role(role)
    except ValueError:
        messages = _knowledge(knowledge).messages
        choices = "、".join(messages.render("console_role_choice", role=r.value, label=messages.text(r.label_key))
                           for r in Role)
        raise InvalidUser("console_role_unknown", field="role", role=str(role)[:40], choices=choices) from None


def validate_district(role: Role, district: str | None, *, knowledge: Knowledge) -> str | None:
    """The canonical district for a district supervisor; None for every other role."""
    district = (district or "").strip() or None
    if role is not Role.district_supervisor:
        if district is not None:
            raise InvalidUser("console_district_not_needed", field="district")
        return None
    if district is None:
        raise InvalidUser("console_district_missing", field="district")
    canonical = knowledge.canonical_district(district)
    if canonical is None:
        names = "、".join(d.name for d in knowledge.districts)
        raise InvalidUser("console_district_unknown", field="district", district=district[:20], districts=names)
    return canonical


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _knowledge(knowledge: Knowledge | None) -> Knowledge:
    if knowledge is not None:
        return knowledge
    from bot.knowledge import get_knowledge

    return get_knowledge()


def create_user(session: Session, *, name: str, role: Role | str, password: str, now: datetime,
                district: str | None = None, knowledge: Knowledge | None = None) -> ConsoleUser:
    """A new active user created at `now`, flushed (the caller commits). Raises InvalidUser /
    DuplicateUser naming the field; nothing is written then."""
    knowledge = _knowledge(knowledge)
    clean = validate_name(name)
    role = validate_role(role, knowledge=knowledge)
    district = validate_district(role, district, knowledge=knowledge)
    validate_password(password, name=clean)
    if session.exec(select(ConsoleUser.id).where(ConsoleUser.name == clean)).first() is not None:
        raise DuplicateUser("console_user_taken", field="name", name=clean)
    user = ConsoleUser(name=clean, role=role, district=district, password_hash=hash_password(password),
                       created_at=now)
    try:
        with session.begin_nested():  # a concurrent creation of the same name loses here, not at commit
            session.add(user)
            session.flush()
    except IntegrityError as exc:
        raise DuplicateUser("console_user_taken", field="name", name=clean) from exc
    return user


def authenticate(session: Session, *, name: str, password: str) -> ConsoleUser:
    """The active user with this name and password; SignInFailed otherwise (same code, same cost)."""
    clean = normalize_name(name)
    user = None
    if clean and len(clean) <= NAME_MAX:
        user = session.exec(select(ConsoleUser).where(ConsoleUser.name == clean)).first()
    candidate = (password or "")[:PASSWORD_MAX + 1]  # an over-long password is wrong anyway; do not hash a megabyte
    try:
        ok, new_hash = _hasher().verify_and_update(candidate, user.password_hash if user else _dummy_hash())
    except PwdlibError:  # an unreadable stored hash is a failed sign-in, not a crash
        ok, new_hash = False, None
    if not ok or user is None or len(candidate) > PASSWORD_MAX:
        raise SignInFailed("console_sign_in_failed")
    if not user.active:
        raise AccountDisabled("console_account_disabled")
    if new_hash is not None:  # stronger parameters since the hash was made: upgrade it now that we know the password
        user.password_hash = new_hash
        session.add(user)
    return user


def get_user(session: Session, *, user_id: int) -> ConsoleUser:
    user = session.get(ConsoleUser, user_id)
    if user is None:
        raise UnknownUser("console_user_unknown")
    return user


def list_users(session: Session, *, offset: int = 0, limit: int = 100) -> tuple[list[ConsoleUser], int]:
    """One page of users (active first, then by name) and the total count."""
    total = session.exec(select(func.count()).select_from(ConsoleUser)).one()
    rows = session.exec(select(ConsoleUser).order_by(ConsoleUser.active.desc(), ConsoleUser.name)  # type: ignore[attr-defined]
                        .offset(offset).limit(limit)).all()
    return list(rows), int(total)


def _end_sessions(session: Session, user_id: int) -> None:
    session.exec(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))  # type: ignore[call-overload]


def set_active(session: Session, *, user: ConsoleUser, active: bool) -> ConsoleUser:
    """Deactivate (signing the user out everywhere) or reactivate."""
    user.active = active
    session.add(user)
    if not active:
        _end_sessions(session, user.id)  # type: ignore[arg-type]
    session.flush()
    return user


def reset_password(session: Session, *, user: ConsoleUser, password: str) -> ConsoleUser:
    """A new password; every session of the user ends, so whoever knew the old one is out."""
    validate_password(password, name=user.name)
    user.password_hash = hash_password(password)
    session.add(user)
    _end_sessions(session, user.id)  # type: ignore[arg-type]
    session.flush()
    return user


def _other_active_admins(session: Session, *, user: ConsoleUser) -> int:
    return int(session.exec(select(func.count()).select_from(ConsoleUser).where(
        ConsoleUser.role == Role.admin, ConsoleUser.active, ConsoleUser.id != user.id)).one())


def validate_role_change(session: Session, *, user: ConsoleUser, role: Role | str, district: str | None,
                         knowledge: Knowledge | None = None) -> tuple[Role, str | None]:
    """The role and canonical district `user` would get; InvalidUser if either is not acceptable,
    nothing would change, or the console would be left without an active administrator."""
    knowledge = _knowledge(knowledge)
    role = validate_role(role, knowledge=knowledge)
    district = validate_district(role, district, knowledge=knowledge)
    if (role, district) == (user.role, user.district):
        raise InvalidUser("console_user_role_unchanged", field="role")
    if user.role is Role.admin and role is not Role.admin and user.active \
            and not _other_active_admins(session, user=user):
        raise InvalidUser("console_user_last_admin", field="role")
    return role, district


def change_role(session: Session, *, user: ConsoleUser, role: Role | str, district: str | None,
                knowledge: Knowledge | None = None) -> ConsoleUser:
    """A new role (and district); every session of the user ends, so no page keeps working with the
    rights of the old role. InvalidUser as validate_role_change; nothing is changed then."""
    user.role, user.district = validate_role_change(session, user=user, role=role, district=district,
                                                    knowledge=knowledge)
    session.add(user)
    _end_sessions(session, user.id)  # type: ignore[arg-type]
    session.flush()
    return user
