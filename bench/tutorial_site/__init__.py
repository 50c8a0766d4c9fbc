"""The Django tutorial's polls app as a small site: the peer that bench/http.py measures.

Served by gunicorn from the project's .venv as ``bench.tutorial_site.wsgi:application``
(bench/ is a namespace package under the project root, so bench/http.py never shadows the
standard library's http); nothing here is imported by socialpoll.
"""
