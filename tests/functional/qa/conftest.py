"""The deploy room's moto server fixtures, shared as they are."""

from tests.functional.deploy.conftest import moto, moto_server

__all__ = ["moto", "moto_server"]
