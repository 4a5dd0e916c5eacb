"""`rtvi-edge knowledge`'s arguments, apart from its code: the command line is built for every command
(a satellite's too), so it reads only this; `commands.py` loads when the knowledge command runs."""

from __future__ import annotations

import argparse


def add_knowledge_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    knowledge = commands.add_parser("knowledge", help="documents the assistant answers from")
    actions = knowledge.add_subparsers(dest="knowledge_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="copy documents (or every document of a folder) into the library")
    add.add_argument("paths", nargs="+", metavar="PATH")
    remove = actions.add_parser("remove", help="delete documents from the library")
    remove.add_argument("names", nargs="+", metavar="NAME")
    actions.add_parser("list", help="every document, with its passages or why it is not used")
    search = actions.add_parser("search", help="what the assistant would answer, and from where")
    search.add_argument("query", nargs="+", metavar="QUESTION")
