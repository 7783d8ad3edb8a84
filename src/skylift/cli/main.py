"""The ``skylift`` entry point: the verb group and its error handling."""

from __future__ import annotations

import importlib
import traceback
from typing import Any

import click

from skylift import __version__
from skylift.cli.output import Output
from skylift.cli.state import cli_state, shared_params
from skylift.cli.verbs import VERBS
from skylift.errors import SkyliftError

EXIT_INTERRUPTED = 130
EXIT_BUG = 70  # EX_SOFTWARE: an internal error, not the user's


class SkyliftGroup(click.Group):
    """Turns errors into one message and an exit code; never a traceback unless --debug.

    Verbs come from ``VERBS`` and are imported on first use; every verb gets
    -q/--quiet and --debug, so they work after the verb.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        have = {opt for param in cmd.params for opt in getattr(param, "opts", [])}
        cmd.params.extend(p for p in shared_params() if not have.intersection(p.opts))
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*VERBS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in VERBS:
            module, attribute, _ = VERBS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, VERBS[name][2] if name in VERBS else self.commands[name].get_short_help_str())
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


def main() -> None:
    cli(prog_name="skylift")


if __name__ == "__main__":  # pragma: no cover
    main()
