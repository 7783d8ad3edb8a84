"""The data plane moto lacks: REST APIs, HTTP APIs and Function URLs served on 127.0.0.1."""

from skylift.local.gateway.door import Gateway

__all__ = ["Gateway"]
