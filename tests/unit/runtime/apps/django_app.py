"""Django views and URLconf (settings are configured by the test fixture, in-process)."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path, reverse

from tests.unit.runtime.apps import PNG


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello World!", content_type="text/plain")


def echo(request: HttpRequest, rest: str) -> HttpResponse:
    multi = [v.strip() for v in request.headers.get("X-Multi", "").split(",") if v.strip()]
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path_info,
            "root": request.META.get("SCRIPT_NAME", ""),
            "query": dict(request.GET.lists()),
            "multi": multi,
            "cookies": dict(request.COOKIES),
            "body": base64.b64encode(request.body).decode(),
            "client": request.META.get("REMOTE_ADDR"),
            "url": request.build_absolute_uri(reverse("hello")),
            "content_type": request.META.get("CONTENT_TYPE", ""),
        }
    )


def cookies(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("cookies")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    return response


def binary(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PNG, content_type="image/png")


def error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("hello", hello, name="hello"),
    re_path(r"^echo/(?P<rest>.*)$", echo),
    path("cookies", cookies),
    path("binary", binary),
    path("error", error),
]
