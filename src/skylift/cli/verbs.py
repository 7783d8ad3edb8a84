"""Where each verb lives, and its one-line help.

Verbs are imported only when run (or when their own --help is shown), so
`skylift --help` and `--version` never pay for pydantic, boto3 or rich. The
one-line help is kept here for the verb list; a test checks it against each
command's own docstring so the two never drift.
"""

from __future__ import annotations

# name -> (module, attribute, one-line help); one line per verb.
VERBS: dict[str, tuple[str, str, str]] = {
    "init": (
        "skylift.cli.init_cmd",
        "init",
        "Create skylift.toml by answering a few questions (--yes: none).",
    ),
    "settings": (
        "skylift.cli.settings_cmd",
        "settings",
        "Print the resolved settings of a stage (defaults applied).",
    ),
    "package": (
        "skylift.cli.package_cmd",
        "package",
        "Build the deployment package of STAGE (a zip Lambda runs as is).",
    ),
    "deploy": (
        "skylift.cli.deploy_cmds",
        "deploy",
        "Package and deploy a stage for the first time; prints its URL(s).",
    ),
    "update": (
        "skylift.cli.deploy_cmds",
        "update",
        "Deploy new code and settings to a deployed stage (nothing changed: no AWS writes).",
    ),
    "plan": (
        "skylift.cli.deploy_cmds",
        "plan_cmd",
        "Show what deploy/update would change, step by step and field by field.",
    ),
    "status": (
        "skylift.cli.deploy_cmds",
        "status",
        "Show a stage: function, versions, URLs, schedules and the last 24 h of metrics.",
    ),
    "rollback": (
        "skylift.cli.deploy_cmds",
        "rollback",
        "Point the stage back N versions (no upload; APIs and triggers follow the alias).",
    ),
    "undeploy": (
        "skylift.cli.deploy_cmds",
        "undeploy",
        "Remove everything skylift made for a stage (asks first unless -y).",
    ),
    "local": (
        "skylift.cli.local_cmd",
        "local",
        "Run deployments on a local cloud on 127.0.0.1 (no Docker, no AWS account).",
    ),
}
