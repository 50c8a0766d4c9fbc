"""The room at scale (bench/load.py --mode room): a workshop of N phones against gunicorn +
PostgreSQL + Redis with production settings (DEBUG off).

    .venv/bin/python bench/load.py --mode room [--phones 1000] [--vote-window 60]

Every phone is its own browser (cookies, an address of its own as the proxy reports it):
it joins by the poll's code (/j/<code>, a redirect) at a moment spread over the first
--join-window seconds, opens the poll page (CSRF token, voter cookie), polls the live
results fragment every 3 s as htmx does (HX-Request, If-None-Match with the ETag it last
got; a tick that comes while the last request is still out is skipped, as htmx drops
it), and votes once at a random moment before --vote-window seconds have passed; it
keeps polling --tail seconds after the window. Meanwhile the trainer's presenter view (signed in)
polls its live block every 2 s.

Reported: errors (anything but 2xx/3xx, socket errors, timeouts), votes accepted against
ballots stored (lost or doubled votes), p50/p99 per request kind, and whether the
presenter showed a total equal to the ballots within 3 s of the last vote's answer.

The phones are asyncio tasks with one connection per request (a phone's next poll comes
after gunicorn's keep-alive has closed the last one), so 1,000 of them cost this process
little; it still shares the machine's cores with the server, PostgreSQL and Redis.
"""

import asyncio
import os
import random
import re
import secrets
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 3.0
PRESENTER_SECONDS = 2.0
REQUEST_TIMEOUT = 30.0
TRAINER_PASSWORD = secrets.token_urlsafe(12)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOTAL = re.compile(r'present-total-number">(\d+)<')


@dataclass
class Reply:
    status: int
    headers: dict
    body: str
    seconds: float
    at: float  # time.monotonic() when the answer was read


@dataclass
class Room:
    port: int
    slug: str
    code: str
    choice_ids: list[int]
    started: float
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    votes_sent: int = 0
    votes_accepted: int = 0
    last_vote_at: float = 0.0
    presenter: list[tuple[float, int]] = field(default_factory=list)

    def add(self, kind: str, reply: Reply) -> None:
        self.timings[kind].append(reply.seconds)
        self.statuses[kind][reply.status] += 1


class Phone:
    """One browser: its cookies and its address."""

    def __init__(self, room: Room, address: str):
        self.room = room
        self.address = address
        self.cookies: dict[str, str] = {}
        self.etag = ""

    async def request(self, method: str, path: str, form=None, headers=None) -> Reply:
        started = time.monotonic()
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines.append(f"X-Forwarded-For: {self.address}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            lines += ["Content-Type: application/x-www-form-urlencoded", "Origin: http://127.0.0.1"]
            lines.append("Referer: http://127.0.0.1/")
        lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            return await asyncio.wait_for(self._exchange(raw, started), REQUEST_TIMEOUT)
        except (TimeoutError, OSError) as error:
            now = time.monotonic()
            return Reply(599, {}, str(error), now - started, now)

    async def _exchange(self, raw: bytes, started: float) -> Reply:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.room.port)
        try:
            writer.write(raw)
            await writer.drain()
            data = await reader.read(-1)
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                key, _, val = value.strip().split(";", 1)[0].partition("=")
                self.cookies[key] = val
            headers[name.lower()] = value.strip()
        now = time.monotonic()
        status = int(status_line.split()[1]) if status_line else 599
        return Reply(status, headers, body.decode("utf-8", "replace"), now - started, now)

    async def poll_live(self, path: str, kind: str) -> Reply:
        headers = {"HX-Request": "true"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        reply = await self.request("GET", path, headers=headers)
        self.room.add(kind, reply)
        self.etag = reply.headers.get("etag", self.etag)
        return reply


async def _sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def phone(room: Room, number: int, args, rng: random.Random) -> None:
    me = Phone(room, f"10.{80 + number // 62500}.{number // 250 % 250}.{number % 250 + 1}")
    await _sleep_until(room.started + rng.uniform(0, args.join_window))
    join = await me.request("GET", f"/j/{room.code.lower()}")
    room.add("join", join)
    page = await me.request("GET", f"/polls/{room.slug}/")
    room.add("page", page)
    token = _CSRF.search(page.body)
    vote_at = rng.uniform(time.monotonic() - room.started + 1, args.vote_window)
    end_at = room.started + args.vote_window + args.tail
    voted = False
    next_poll = time.monotonic() + rng.uniform(0.5, POLL_SECONDS)
    while next_poll < end_at:
        if not voted and room.started + vote_at <= next_poll:
            await _sleep_until(room.started + vote_at)
            form = {"csrfmiddlewaretoken": token.group(1) if token else "", "choice": ""}
            form["choice"] = str(rng.choice(room.choice_ids))
            room.votes_sent += 1
            reply = await me.request("POST", f"/polls/{room.slug}/vote/", form=form)
            room.add("vote", reply)
            voted = True
            if reply.status == 302:
                room.votes_accepted += 1
                room.last_vote_at = max(room.last_vote_at, reply.at)
            continue
        await _sleep_until(next_poll)
        await me.poll_live(f"/polls/{room.slug}/results/", "live")
        # htmx's "every 3s" drops a tick while the element's last request is in flight: the
        # next request goes at the next tick, never in a burst to catch up.
        now = time.monotonic()
        while next_poll <= now:
            next_poll += POLL_SECONDS


async def presenter(room: Room, args) -> None:
    me = Phone(room, "10.99.0.1")
    login = await me.request("GET", "/accounts/login/")
    token = _CSRF.search(login.body)
    form = {
        "csrfmiddlewaretoken": token.group(1) if token else "",
        "username": "room-trainer",
        "password": TRAINER_PASSWORD,
    }
    signed_in = await me.request("POST", "/accounts/login/", form=form)
    if signed_in.status != 302:
        raise SystemExit(f"the presenter could not sign in: {signed_in.status}")
    end_at = room.started + args.vote_window + args.tail
    while time.monotonic() < end_at:
        reply = await me.poll_live(f"/polls/{room.slug}/present/live/", "presenter")
        if reply.status == 200 and (match := _TOTAL.search(reply.body)):
            room.presenter.append((reply.at, int(match.group(1))))
        elif reply.status == 304 and room.presenter:
            room.presenter.append((reply.at, room.presenter[-1][1]))
        await asyncio.sleep(PRESENTER_SECONDS)


async def run_room(room: Room, args) -> None:
    rng = random.Random(7)
    tasks = [asyncio.create_task(presenter(room, args))]
    tasks += [asyncio.create_task(phone(room, n, args, rng)) for n in range(args.phones)]
    await asyncio.gather(*tasks)


def seed(args) -> tuple:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from roomlib import seed_room_poll

    trainer = get_user_model().objects.create_user("room-trainer", password=TRAINER_PASSWORD)
    trainer.groups.add(Group.objects.get(name="Trainers"))
    poll = seed_room_poll(trainer)
    return poll, list(poll.choices.values_list("pk", flat=True))


def presenter_caught_up(room: Room, ballots: int) -> float | None:
    """Seconds from the last vote's answer to the presenter first showing all ballots."""
    for at, total in room.presenter:
        if at >= room.last_vote_at and total == ballots:
            return at - room.last_vote_at
    return None


def report(room: Room, args, ballots: int, elapsed: float) -> bool:
    print(
        f"\n== room: {args.phones} phones, votes within {args.vote_window:.0f} s, live fragment "
        f"every {POLL_SECONDS:.0f} s, presenter every {PRESENTER_SECONDS:.0f} s; "
        f"gunicorn {args.workers} workers x 4 threads, DEBUG off, PostgreSQL + Redis"
    )
    header = f"{'kind':<10} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses"
    print(header)
    print("-" * len(header))
    errors = 0
    for kind in ("join", "page", "vote", "live", "presenter"):
        times = sorted(room.timings[kind])
        if not times:
            continue
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        statuses = room.statuses[kind]
        errors += sum(n for status, n in statuses.items() if status >= 400)
        print(
            f"{kind:<10} {len(times):>8} {statistics.median(times) * 1000:>8.1f} "
            f"{p99 * 1000:>8.1f} {times[-1] * 1000:>8.1f}  "
            + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        )
    # Each phone sends one vote: a ballot beyond the votes sent would be a doubled vote, an
    # accepted vote without its ballot a lost one. A vote whose answer never came (the
    # client gave up after REQUEST_TIMEOUT) may or may not be stored; both are counted.
    lost = max(0, room.votes_accepted - ballots)
    doubled = max(0, ballots - room.votes_sent)
    unanswered = room.votes_sent - sum(room.statuses["vote"][s] for s in (302, 400, 403, 409))
    caught_up = presenter_caught_up(room, ballots)
    print(
        f"votes: {room.votes_sent} sent, {room.votes_accepted} accepted, {unanswered} "
        f"unanswered, {ballots} ballots stored: {lost} lost, {doubled} doubled; "
        f"errors: {errors}; phones that never got to vote: {args.phones - room.votes_sent}"
    )
    shown = "never" if caught_up is None else f"{caught_up:.1f} s"
    print(f"presenter's total equal to the ballots ({ballots}) after the last vote: {shown}")
    ok = errors == 0 and lost == 0 and doubled == 0 and caught_up is not None and caught_up <= 3
    print(
        f"\nload: {'OK' if ok else 'FAILED'} mode=room phones={args.phones} "
        f"ballots={ballots} lost={lost} doubled={doubled} errors={errors} "
        f"presenter_lag_s={'none' if caught_up is None else f'{caught_up:.1f}'} "
        f"seconds={elapsed:.0f}"
    )
    return ok


def main(args, load) -> int:
    """Run the room once on a fresh database; `load` is bench/load.py (its servers)."""
    began = time.monotonic()
    name = load.db_name(args.database_url)
    load.pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    load.pg_admin(args.database_url, f'CREATE DATABASE "{name}"')
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="socialpoll-room-") as tmp:
            var_dir = Path(tmp)
            prefix = f"room-{os.getpid()}-{secrets.token_hex(4)}"
            env = load.server_env(args, var_dir, secrets.token_urlsafe(50), prefix)
            env.update(POLLS_VOTE_RATE_LIMIT="300")  # the default: each phone votes once
            os.environ.update(env)
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connections

            call_command("migrate", verbosity=0, interactive=False)
            call_command("collectstatic", verbosity=0, interactive=False)
            poll, choice_ids = seed(args)
            connections.close_all()
            server = load.start_server(env, args.workers, var_dir)
            room = Room(server.port, poll.slug, poll.join_code, choice_ids, time.monotonic())
            asyncio.run(run_room(room, args))
            from polls.models import Ballot

            ballots = Ballot.objects.filter(poll=poll).count()
            connections.close_all()
    finally:
        if server is not None:
            load.stop_server(server)
        if not args.keep_db:
            load.pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if report(room, args, ballots, time.monotonic() - began) else 1
