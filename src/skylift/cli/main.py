"""The ``skylift`` entry point: the verb group and its error handling."""

from __future__ import annotations

import traceback
from typing import Any

import click

from skylift import __version__
from skylift.cli.output import Output
from skylift.cli.state import cli_state, shared_params
from skylift.errors import SkyliftError

EXIT_INTERRUPTED = 130
EXIT_BUG = 70  # EX_SOFTWARE: an internal error, not the user's


class SkyliftGroup(click.Group):
    """Turns errors into one message and an exit code; never a traceback unless --debug.

    Every verb added gets -q/--quiet and --debug, so they work after the verb.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        have = {opt for param in cmd.params for opt in getattr(param, "opts", [])}
        cmd.params.extend(p for p in shared_params() if not have.intersection(p.opts))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SkyliftError as exc:
            Output(cli_state(ctx)).error(exc)
            ctx.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if cli_state(ctx).debug:
                traceback.print_exc()
            Output(cli_state(ctx)).unexpected(exc)
            ctx.exit(EXIT_BUG)


@click.group(
    cls=SkyliftGroup,
    params=shared_params(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", "-V", prog_name="skylift")
def cli() -> None:
    """Deploy Python web apps (WSGI and ASGI) to AWS Lambda, or run them on a local cloud.

    Reads skylift.toml, [tool.skylift] in pyproject.toml, or an unchanged
    zappa_settings.json/yaml/toml. Options go after the verb:
    `skylift deploy dev --local`.
    """


def _register() -> None:
    """Attach the verbs. Each lives in its own module under skylift.cli."""
    from skylift.cli import deploy_cmds, init_cmd, package_cmd, settings_cmd

    for command in (
        init_cmd.init,
        settings_cmd.settings,
        package_cmd.package,
        *deploy_cmds.COMMANDS,
    ):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="skylift")


if __name__ == "__main__":  # pragma: no cover
    main()
