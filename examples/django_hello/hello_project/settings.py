"""The smallest Django project that serves a page: no database, no templates."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Set DJANGO_SECRET_KEY in the stage's environment_variables for a real deployment.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
# API Gateway, Function URLs and the local cloud each give the app a different host name.
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "hello_project.urls"
WSGI_APPLICATION = "hello_project.wsgi.application"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
