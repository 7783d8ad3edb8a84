"""The one view."""

from django.http import HttpRequest, HttpResponse


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello World!", content_type="text/plain")
