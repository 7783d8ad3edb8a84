"""Lambda, run for real: execution environments as subprocesses under the Runtime API."""
