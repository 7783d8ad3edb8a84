"""GET /hello answers Hello World!"""

from django.urls import path

from hello_project.views import hello

urlpatterns = [path("hello", hello)]
