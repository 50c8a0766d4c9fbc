"""Markdown under hostile input: CPU milliseconds to render each worst shape at the longest a
comment (COMMENTS_MAX_LENGTH) and a poll intro (Poll.intro max_length) may be.

The shapes are the ones tests/polls/test_markup.py holds to its budget. Each cell is the best
of --runs renders, in CPU time of this process (a busy machine slows it less than wall time).
With --against REV, a second column renders with polls/markup.py as it was at git revision
REV (its parser must be installed in this virtualenv); a run of that one that takes longer
than a second is not repeated.

    .venv/bin/python bench/markdown.py
    .venv/bin/python bench/markdown.py --against f04f264 --lengths 2000,5000,10000
"""

import argparse
import gc
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# This script (markdown.py) would shadow the markdown package, bench/http.py the standard
# library's http: bench/ comes off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialpoll.settings")
    import django

    django.setup()


def renderer_at(revision: str) -> Callable[[str], str]:
    """render_markdown from polls/markup.py as it was at a git revision."""
    source = subprocess.run(
        ["git", "show", f"{revision}:polls/markup.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(f"markup_{revision}", handle.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.unlink(handle.name)
    return module.render_markdown


def cpu_ms(render: Callable[[str], str], text: str, runs: int) -> str:
    best = float("inf")
    for _ in range(runs):
        gc.disable()
        try:
            start = time.process_time()
            render(text)
            spent = (time.process_time() - start) * 1000
        except RecursionError:
            return "RecursionError"
        finally:
            gc.enable()
        best = min(best, spent)
        if best > 1000:
            break
    return f"{best:.1f}"


def main() -> None:
    setup()
    from django.conf import settings

    from polls.markup import render_markdown
    from polls.models import Poll
    from tests.polls.test_markup import worst_shapes

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="also render with polls/markup.py at this revision")
    parser.add_argument("--lengths", help="comma-separated lengths (default: the two maxima)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    lengths = (
        [int(n) for n in args.lengths.split(",")]
        if args.lengths
        else [settings.COMMENTS_MAX_LENGTH, Poll._meta.get_field("intro").max_length]
    )
    renderers = {"this tree": render_markdown}
    if args.against:
        renderers[args.against] = renderer_at(args.against)
    for render in renderers.values():
        render("Warm *up* [the](https://example.com) parser.")

    header = f"| {'shape':<30} | {'length':>6} | " + " | ".join(f"{n:>14}" for n in renderers)
    print(f"CPU ms per render, best of {args.runs}\n")
    print(header + " |")
    print("|" + "|".join("-" * (len(cell) + 2) for cell in header[2:].split(" | ")) + "|")
    worst = dict.fromkeys(renderers, (0.0, ""))
    failures: dict[str, list[str]] = {label: [] for label in renderers}
    for length in lengths:
        for name, text in worst_shapes(length):
            cells = []
            for label, render in renderers.items():
                cell = cpu_ms(render, text, args.runs)
                cells.append(f"{cell:>14}")
                if cell == "RecursionError":
                    failures[label].append(f"{name} at {length}")
                else:
                    worst[label] = max(worst[label], (float(cell), f"{name} at {length}"))
            print(f"| {name:<30} | {length:>6} | " + " | ".join(cells) + " |", flush=True)
    print()
    for label, (value, where) in worst.items():
        print(f"worst for {label}: {value:.1f} ms ({where})")
        if failures[label]:
            print(f"  RecursionError for {label}: {', '.join(failures[label])}")


if __name__ == "__main__":
    main()
