"""The migrations form one line: every database reaches the same schema by the same steps."""

from alembic.script import ScriptDirectory

from bot.db.migrate import alembic_config


def test_one_head_and_no_branches():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert all(not r.is_branch_point and not r.is_merge_point for r in revisions)
    # Each revision's file name starts with its id, in order: 0001, 0002, …
    ids = sorted(r.revision for r in revisions)
    assert ids == [f"{n:04d}" for n in range(1, len(ids) + 1)]
