"""``skylift init``: create skylift.toml (or zappa_settings.json) by answering a few questions."""

from __future__ import annotations

import click
from rich.markup import escape

from skylift.cli.options import yes_option
from skylift.cli.output import Output
from skylift.config.questionnaire import Defaults as DefaultAnswers
from skylift.config.questionnaire import InitFormat, plan_init, write_plan
from skylift.errors import Aborted


class TerminalPrompter:
    """Asks on the terminal; questions and messages go to stderr, so stdout stays clean."""

    interactive = True

    def __init__(self, out: Output) -> None:
        self.out = out

    def say(self, text: str) -> None:
        self.out.info(escape(text))

    def warn(self, text: str) -> None:
        self.out.warn(text)

    def ask(self, question: str, default: str) -> str:
        return str(click.prompt(question, default=default, err=True, show_default=True))

    def confirm(self, question: str, default: bool) -> bool:
        return click.confirm(question, default=default, err=True)


@click.command()
@yes_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["skylift", "zappa"]),
    default="skylift",
    show_default=True,
    help="Write skylift.toml, or zappa_settings.json for Zappa and skylift alike.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing settings file.")
def init(yes: bool, fmt: InitFormat, force: bool) -> None:
    """Create skylift.toml by answering a few questions (--yes: none)."""
    out = Output()
    terminal = TerminalPrompter(out)
    prompter = DefaultAnswers(echo=terminal.say, echo_warning=terminal.warn) if yes else terminal
    try:
        plan = plan_init(".", prompter, fmt=fmt, force=force)
        terminal.say(f"\n{plan.path.name}:\n")
        terminal.say(plan.text.rstrip())
        if not prompter.confirm(f"\nWrite {plan.path.name}?", True):
            # Unlike a declined undeploy (Aborted, exit 1: the asked-for work was not done),
            # declining here leaves nothing to do: a plain message and exit 0.
            out.info("Nothing written. Run `skylift init` again to start over.")
            return
    except click.Abort:
        raise Aborted(
            "init needs answers and got none (stdin closed).",
            hint="Run `skylift init --yes` to take every default without questions.",
        ) from None
    path = write_plan(plan)
    if len(plan.next_steps) == 1:
        out.info(f"\nWrote {path.name}. Next:\n\n  {escape(plan.next_command)}\n")
        return
    steps = "".join(f"  {escape(step)}\n" for step in plan.next_steps)
    out.info(f"\nWrote {path.name}. No AWS credentials were found; next, either:\n\n{steps}")
