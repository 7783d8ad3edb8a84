"""skylift: deploy Python web apps to AWS Lambda, and run them on a local cloud.

This module is copied into every deployment package next to ``skylift.runtime``,
so it must import nothing outside the standard library and cost nothing to import.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
