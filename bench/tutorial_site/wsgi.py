"""WSGI entry point of the tutorial peer (gunicorn bench.tutorial_site.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.tutorial_site.settings")

application = get_wsgi_application()
