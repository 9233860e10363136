"""`sbk user add NAME --role ROLE [--district 李沧区]`: create a console user (SPEC.md contract);
`sbk user unlock NAME` / `sbk user unlock --address ADDR`: lift a sign-in lockout.

    printf '%s\\n' "$PASSWORD" | sbk user add zhangsan --role district_supervisor --district 李沧区
    {"name": "zhangsan", "role": "district_supervisor", "role_label": "区级监管人员", "district": "李沧区"}

The password is the first line of standard input; at a terminal it is asked for twice without
echo. It is never printed or logged. A bad name, role, district or password, or a name already
taken: one line on stderr, exit 2, nothing written. The database is migrated first if needed.

    sbk user unlock zhangsan
    {"kind": "account", "subject": "zhangsan", "lifted": 1}

`unlock` lifts the lockout of a name (existing or not: names that do not exist are locked too) or of a
client address, clears its failed attempts and records it in the audit log; exit 1 when nothing was
locked, nothing written then.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING

from bot.web.console.errors import InvalidUser
from bot.web.console.models import Role

if TYPE_CHECKING:
    from bot.knowledge.catalogue import Catalogue


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("user", help="console users: create one (the password is read from standard input)")
    actions = cmd.add_subparsers(dest="user_action", metavar="{add,unlock}", required=True)
    add = actions.add_parser("add", help="create a console user; password from standard input (one line)")
    add.add_argument("name", help="sign-in name: 2-32 letters (any script), digits or . _ - @")
    add.add_argument("--role", required=True, choices=[r.value for r in Role],
                     help="operator (话务员), district_supervisor (区级监管人员), city_supervisor (市级监管人员), "
                          "admin (系统管理员)")
    add.add_argument("--district", default=None,
                     help="the district a district supervisor oversees, e.g. 李沧区 (only for district_supervisor)")
    add.set_defaults(handler=run, _parser=add)
    unlock = actions.add_parser("unlock", help="lift the sign-in lockout of a name, or of a client address")
    target = unlock.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?", default=None, help="the sign-in name that was locked")
    target.add_argument("--address", default=None, help="the client address that was refused, e.g. 10.0.3.17")
    unlock.set_defaults(handler=run_unlock, _parser=unlock)


def _read_password(parser: argparse.ArgumentParser, messages: Catalogue) -> str:
    if sys.stdin is None:
        parser.error(messages.render("console_password_no_stdin"))
    if sys.stdin.isatty():
        first = getpass.getpass(messages.render("console_password_prompt"))
        if getpass.getpass(messages.render("console_password_prompt_again")) != first:
            parser.error(messages.render("console_password_mismatch"))
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    from bot.db import new_session, upgrade
    from bot.knowledge import get_knowledge
    from bot.web.console.users import (
        create_user,
        validate_district,
        validate_name,
        validate_password,
        validate_role,
    )

    parser = args._parser
    knowledge = get_knowledge()
    messages = knowledge.messages
    try:  # refuse bad arguments before asking for the password or touching the database
        name = validate_name(args.name)
        role = validate_role(args.role, knowledge=knowledge)
        district = validate_district(role, args.district, knowledge=knowledge)
        password = _read_password(parser, messages)
        if not password:
            raise InvalidUser("console_password_not_read", field="password")
        validate_password(password, name=name)
    except InvalidUser as exc:
        parser.error(messages.explain(exc).replace("\n", " "))  # one line on stderr, exit 2

    from bot.clock import get_clock
    from bot.web.console.audit import record_system_audit

    upgrade()
    now = get_clock().now()
    with new_session() as session:
        try:
            user = create_user(session, name=name, role=role, password=password, now=now, district=district,
                               knowledge=knowledge)
            record_system_audit(session, actor="sbk user add", action="create_user", at=now,
                                detail={"name": user.name, "role": user.role.value, "district": user.district})
            session.commit()
        except InvalidUser as exc:
            session.rollback()
            parser.error(messages.explain(exc).replace("\n", " "))
    sys.stdout.write(json.dumps({"name": user.name, "role": user.role.value,
                                 "role_label": messages.text(user.role.label_key),
                                 "district": user.district}, ensure_ascii=False) + "\n")
    return 0


UNLOCK_ACTOR = "sbk user unlock"


def run_unlock(args: argparse.Namespace) -> int:
    from bot.clock import get_clock
    from bot.db import new_session, upgrade
    from bot.knowledge import get_knowledge
    from bot.web.console.audit import record_system_audit
    from bot.web.console.models import SUBJECT_MAX, ThrottleSubject
    from bot.web.console.throttle import account_subject, lift_lockouts

    if args.address is not None:
        kind, subject, field = ThrottleSubject.address, args.address.strip(), "address"
    else:
        kind, subject, field = ThrottleSubject.account, account_subject(args.name), "name"
    not_locked = get_knowledge().messages.render(
        "console_address_not_locked" if kind is ThrottleSubject.address else "console_user_not_locked")
    if not subject or len(subject) > SUBJECT_MAX:  # nothing so named can be locked
        args._parser.error(not_locked)
    upgrade()
    now = get_clock().now()
    with new_session() as session:
        lifted = lift_lockouts(session, kind=kind, subject=subject, by=UNLOCK_ACTOR, now=now)
        if lifted:
            record_system_audit(session, actor=UNLOCK_ACTOR, action="sign_in_unlocked", at=now,
                                detail={"kind": kind.value, field: subject})
            session.commit()
    if not lifted:
        sys.stderr.write(not_locked + "\n")
        return 1
    sys.stdout.write(json.dumps({"kind": kind.value, "subject": subject, "lifted": lifted}, ensure_ascii=False) + "\n")
    return 0
