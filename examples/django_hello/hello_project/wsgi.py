"""WSGI entry point, for running the project anywhere else (gunicorn, runserver)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hello_project.settings")

application = get_wsgi_application()
