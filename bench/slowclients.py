"""Slow clients against gunicorn as the README runs it: does /health/ still answer?

    .venv/bin/python bench/slowclients.py            # the README's command, direct and via nginx
    .venv/bin/python bench/slowclients.py --half-sent 3 --idle 0 --via direct   # the test's form
    .venv/bin/python bench/slowclients.py --command \\
        '.venv/bin/gunicorn socialpoll.wsgi --workers 3 --bind 127.0.0.1:8000'  # another command

For each scenario it starts gunicorn afresh exactly as the README's production section says
(its one `.venv/bin/gunicorn` line; only the port is moved to a free one), with production
settings as bench/http.py uses them (DJANGO_DEBUG=0, a generated secret key; no TLS redirect
or Secure-only cookies, since this is plain HTTP on 127.0.0.1) on a throwaway SQLite file
(/health/ reads no database). Then it opens
  - N half-sent connections: a request line and one header, never the blank line that ends
    the headers (what a slow phone, or a slowloris script, looks like to the server), and
  - M idle connections: connected, nothing sent,
waits a moment for the server to take them, and asks /health/ a few times, one request
after another, each with a timeout, while every slow connection is held open (after two
timeouts it stops asking: answered=2/4 means 2 of 4 asked). Last it checks how many slow
connections the server still holds.

"via nginx" puts nginx in front, configured with the snippet from docs/operations.md
("Slow clients"): the documented directives as they are, only the TLS lines dropped and the
ports moved to free ones. It needs Debian's nginx (`apt-get install nginx-light`); without
it those runs are left out, saying so.

Loopback only, bounded: a fixed number of connections and probes, a timeout on each, every
process started here stopped at the end. Prints one line per scenario and, last, a summary
line starting "slowclients:" (OK when every probe was answered).
"""

import sys
from pathlib import Path

# bench/ holds an http.py of its own: keep it from shadowing the standard library's http.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from http.client import HTTPConnection  # noqa: E402

sys.path.append(str(BENCH))
import benchlib  # noqa: E402

HALF_SENT = b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # no blank line: never ends
NGINX_INSTALL = "apt-get install nginx-light"


# --- the documented setup ---------------------------------------------------------------


def readme_command() -> str:
    """The README's production gunicorn command, as written there."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Running it in production", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith(".venv/bin/gunicorn ")]
    if len(lines) != 1:
        raise SystemExit("README's production section must have one .venv/bin/gunicorn line")
    return lines[0]


def documented_nginx_site() -> str:
    """The nginx snippet from docs/operations.md ("Slow clients")."""
    text = (ROOT / "docs" / "operations.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", text, flags=re.S)
    if len(blocks) != 1:
        raise SystemExit("docs/operations.md must have one ```nginx block")
    return blocks[0]


def gunicorn_argv(command: str, port: int) -> list[str]:
    """The command's arguments, run from this virtualenv and bound to `port`."""
    argv = shlex.split(command, comments=True)
    if Path(argv[0]).name == "gunicorn":
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    address = f"127.0.0.1:{port}"
    for n, arg in enumerate(argv):
        if arg in {"--bind", "-b"}:
            argv[n + 1] = address
            return argv
        if arg.startswith("--bind="):
            argv[n] = f"--bind={address}"
            return argv
    return [*argv, "--bind", address]  # bound in the config file: the command line wins


def nginx_conf(site: str, tmp: Path, port: int, upstream_port: int) -> str:
    lines = []
    for line in site.splitlines():
        stripped = line.strip()
        if stripped.startswith(("ssl_certificate", "http2 ")):
            continue
        if stripped.startswith("listen "):
            line = f"    listen 127.0.0.1:{port};"
        lines.append(line.replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}"))
    site = "\n".join(lines)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
{site}
}}
"""


# --- processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GUNICORN_"))
        and k not in {"WEB_CONCURRENCY", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        SOCIALPOLL_VAR_DIR=str(tmp),
        DJANGO_LOG_LEVEL="ERROR",
    )
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def stop(self) -> None:
        benchlib.stop_group(self.popen)


def start(name: str, argv: list[str], env: dict, tmp: Path, port: int) -> Process:
    log = tmp / f"{name}.log"
    with log.open("w") as out:
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its workers
        )
    process = Process(name, popen, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise SystemExit(f"{name} exited:\n{log.read_text()[-3000:]}")
        if probe(port, timeout=2)[0]:
            return process
        time.sleep(0.2)
    process.stop()
    raise SystemExit(f"{name} did not answer /health/ in 60 s:\n{log.read_text()[-3000:]}")


# --- clients ----------------------------------------------------------------------------


def probe(port: int, timeout: float) -> tuple[bool, float]:
    """GET /health/ on a new connection: (answered 200 "ok", seconds)."""
    started = time.perf_counter()
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/health/", headers={"Connection": "close"})
        response = connection.getresponse()
        ok = response.status == 200 and response.read() == b"ok"
    except OSError:
        ok = False
    finally:
        connection.close()
    return ok, time.perf_counter() - started


def open_slow(port: int, half_sent: int, idle: int) -> list[socket.socket]:
    connections = []
    for n in range(half_sent + idle):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        if n < half_sent:
            connection.sendall(HALF_SENT)
        connections.append(connection)
    return connections


def still_open(connection: socket.socket) -> bool:
    """True while the server neither closed the connection nor answered it."""
    connection.setblocking(False)
    try:
        connection.recv(1, socket.MSG_PEEK)  # b"": closed by the server; bytes: answered
    except BlockingIOError:
        return True  # nothing to read yet
    except OSError:
        return False
    return False


@dataclass
class Outcome:
    via: str
    half_sent: int
    idle: int
    answered: int
    asked: int  # fewer than --probes when it stopped after two timeouts
    probes: int
    seconds: list[float]
    held: int

    @property
    def ok(self) -> bool:
        return self.answered == self.asked == self.probes

    def line(self) -> str:
        median = statistics.median(self.seconds) if self.seconds else float("nan")
        worst = max(self.seconds) if self.seconds else float("nan")
        return (
            f"scenario via={self.via} half_sent={self.half_sent} idle={self.idle} "
            f"answered={self.answered}/{self.asked} median_s={median:.3f} max_s={worst:.3f} "
            f"slow_still_open={self.held}/{self.half_sent + self.idle}"
        )


def run_scenario(args, via: str, half_sent: int, idle: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="socialpoll-slow-") as name:
        tmp = Path(name)
        processes: list[Process] = []
        slow: list[socket.socket] = []
        try:
            app_port = free_port()
            argv = gunicorn_argv(args.command, app_port)
            processes.append(start("gunicorn", argv, server_env(tmp), tmp, app_port))
            port = app_port
            if via == "nginx":
                port = free_port()
                conf = tmp / "nginx.conf"
                conf.write_text(nginx_conf(documented_nginx_site(), tmp, port, app_port))
                nginx = [args.nginx, "-p", str(tmp), "-c", str(conf)]
                processes.append(start("nginx", nginx, dict(os.environ), tmp, port))
            slow = open_slow(port, half_sent, idle)
            time.sleep(args.settle)  # let the server take them; the probes queue behind
            answered, asked, seconds, misses = 0, 0, [], 0
            for _ in range(args.probes):
                ok, took = probe(port, args.probe_timeout)
                asked += 1
                if ok:
                    answered += 1
                    seconds.append(took)
                else:
                    misses += 1
                    if misses == 2:  # stalled: the rest would only wait out their timeouts
                        break
            held = sum(still_open(connection) for connection in slow)
            return Outcome(via, half_sent, idle, answered, asked, args.probes, seconds, held)
        finally:
            for connection in slow:
                connection.close()
            for process in reversed(processes):
                process.stop()


def counts(text: str) -> list[int]:
    return [int(n) for n in text.split(",") if n.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--command", default=None, help="a gunicorn command (default: README)")
    parser.add_argument("--half-sent", type=counts, default=counts("3,12,48"))
    parser.add_argument("--idle", type=counts, default=counts("12,48"))
    parser.add_argument("--via", default="direct,nginx", help="direct, nginx or both")
    parser.add_argument("--probes", type=int, default=5, help="/health/ requests per scenario")
    parser.add_argument("--probe-timeout", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds before probing")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    args = parser.parse_args()
    args.command = args.command or readme_command()

    vias = [v.strip() for v in args.via.split(",") if v.strip()]
    if "nginx" in vias and not Path(args.nginx).exists():
        if vias == ["nginx"]:
            raise SystemExit(f"nginx is not installed ({NGINX_INSTALL})")
        print(f"nginx is not installed ({NGINX_INSTALL}): only the direct runs")
        vias.remove("nginx")
    scenarios = [(n, 0) for n in args.half_sent] + [(0, m) for m in args.idle if m]
    print(f"gunicorn: {args.command}")
    outcomes = []
    for via in vias:
        for half_sent, idle in scenarios:
            outcome = run_scenario(args, via, half_sent, idle)
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
    answered = sum(o.answered for o in outcomes)
    asked = sum(o.asked for o in outcomes)
    stalled = [o for o in outcomes if not o.ok]
    verdict = "OK" if outcomes and not stalled else "STALLED"
    print(
        f"slowclients: {verdict} scenarios={len(outcomes)} stalled={len(stalled)} "
        f"answered={answered}/{asked}"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
