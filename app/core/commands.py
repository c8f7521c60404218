"""``flask --app wsgi <command>``: commands loaded when they run, and commands that need no pages.

A command line pays for what it runs, not for the whole site. Two things made every command
start slowly (about 1.2 s of CPU before a roster import read its first cell):

- every package's ``cli.py`` was imported to list the commands, with what they import (report
  rendering, the demo seed, password checks); :class:`LazyCommands` imports one package's
  module when one of its commands is looked up (``flask --help`` still imports them all);
- every feature's views were imported to register the blueprints. A command marked
  :func:`routeless` runs in an app without them (:func:`needs_routes` reads the command line
  before the app is built). Mark only commands that build no URL and render no page: ``url_for``
  in such an app fails loudly with a ``BuildError``, it does not guess.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from importlib import import_module

import click
from flask.cli import AppGroup

#: ``flask``'s own options that take a value (the command's words come after them).
_VALUE_OPTIONS = frozenset({"--app", "-A", "--env-file", "-e"})


def routeless(command: click.Command) -> click.Command:
    """Mark ``command`` (put it above ``@group.command``) as needing no pages and no URLs."""
    command.routeless = True  # type: ignore[attr-defined]
    return command


class LazyCommands(AppGroup):
    """The app's command group; ``table`` maps a top-level command name to the package whose
    ``cli.py`` lists it in ``COMMANDS``."""

    def __init__(self, table: Mapping[str, str]) -> None:
        super().__init__()
        self.table = dict(table)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.table:
            self.load(self.table[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.table})

    def load(self, package: str) -> None:
        for command in package_commands(package):
            if command.name not in self.commands:
                self.add_command(command)


def package_commands(package: str) -> Sequence[click.Command]:
    return import_module(f"app.{package}.cli").COMMANDS


def needs_routes(argv: Sequence[str], table: Mapping[str, str]) -> bool:
    """Whether the process started by ``argv`` needs the blueprints: always, except for the
    ``flask`` command line running a command marked :func:`routeless`."""
    if not argv or not _is_flask_cli(argv[0]):
        return True
    command = _resolve(_command_words(argv[1:]), table)
    return not getattr(command, "routeless", False)


def _is_flask_cli(program: str) -> bool:
    """``flask ...`` or ``python -m flask ...`` (whose argv[0] is flask/__main__.py)."""
    parts = os.path.normpath(program).split(os.sep)
    return parts[-1] == "flask" or parts[-2:] == ["flask", "__main__.py"]


def _command_words(args: Sequence[str]) -> list[str]:
    """The words naming the command: ``--app wsgi children import F`` → children, import, F."""
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    return words


def _resolve(words: Sequence[str], table: Mapping[str, str]) -> click.Command | None:
    """The command the words name (a group's subcommand included), without building an app."""
    if not words or words[0] not in table:
        return None
    command = next((c for c in package_commands(table[words[0]]) if c.name == words[0]), None)
    if isinstance(command, click.Group) and len(words) > 1:
        return command.commands.get(words[1])
    return command
