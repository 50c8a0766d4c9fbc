"""Who waits for whom when a poll changes under its voters.

Votes take their poll's lock *shared*: any number of voters of one poll go ahead together
and never wait for each other. Writes that change what a vote may be (closing, editing the
choices or the rules, adding a choice, a new round) take it *exclusive*: they wait for the
votes in flight to commit, and votes that arrive meanwhile wait for them and then see the
change. So no ballot is stored after a close has committed, and no vote goes to a choice an
edit removed.

PostgreSQL: a transaction-level advisory lock, released when the transaction ends. SQLite:
nothing to take, since every transaction starts with BEGIN IMMEDIATE (settings.py), so
writers already run one at a time there.
"""

from django.db import transaction

from polls.models import Poll

# The lock's first key names what is locked (polls), the second which poll; other users of
# advisory locks on the same database use other first keys.
_POLL_LOCKS = 0x50_4F_4C  # "POL"


def poll_lock(poll_id: int, *, shared: bool) -> None:
    """Take this poll's lock until the current transaction ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("poll_lock() is held until the transaction ends: call it inside one.")
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_POLL_LOCKS, poll_id % 2**31])


def poll_locked(poll: Poll) -> Poll:
    """The poll as it is now, with its lock held exclusive until the transaction ends (for
    writes that change what a vote may be: polls/editing.py, polls/lifecycle.py)."""
    poll_lock(poll.pk, shared=False)
    return Poll.objects.select_for_update(no_key=True).get(pk=poll.pk)
