"""Slow clients cannot take the site down: gunicorn as the README runs it (issue 12.13).

bench/slowclients.py starts gunicorn exactly as the README's production section says, holds
half-sent requests open (a request line and one header, never the blank line that ends the
headers), and asks /health/ meanwhile. Three of them held every worker of the old command
(`--workers 3`, sync): /health/ got no answer until gunicorn killed a worker 30 seconds
later. The README's gthread workers have 4 threads each, so 3 half-sent requests cannot hold
a whole worker however they are spread, and every probe must be answered; the generous
timeout only catches a server that does not answer at all.
"""

from pathlib import Path

from tests.processes import run_script

ROOT = Path(__file__).resolve().parents[2]


def test_health_answers_while_half_sent_requests_are_held_open():
    result = run_script(
        "bench/slowclients.py",
        "--half-sent=3",
        "--idle=0",
        "--via=direct",
        "--probes=3",
        "--probe-timeout=20",
        forget=("DJANGO_", "GUNICORN_"),
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert "scenario via=direct half_sent=3 idle=0 answered=3/3 " in result.stdout, output
    assert result.stdout.splitlines()[-1].startswith("slowclients: OK"), output
    assert result.returncode == 0, output
    # The README's command is the one measured, and it runs gunicorn with the config file.
    assert "gunicorn: .venv/bin/gunicorn -c socialpoll/gunicorn.conf.py" in result.stdout, output
