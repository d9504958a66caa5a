"""Pygments for terminals: JSON highlighting and the REPL line lexer (the one place lexers live)."""

from __future__ import annotations


def highlight_json(text: str) -> str:
    """JSON text (ours, holding a peer's strings) coloured; escaped first (escape_lines), as
    our JSON writer leaves C1 and bidi controls in strings as they are."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import JsonLexer

    from ocppctl.render.style import escape_lines

    return str(highlight(escape_lines(text), JsonLexer(), TerminalFormatter())).rstrip("\n")


def line_lexer() -> type:
    """The Pygments lexer of a REPL line: a meta-command and its arguments, or an action then a
    JSON payload or request items (path=value, path:=json)."""
    from pygments.lexer import RegexLexer, bygroups, using
    from pygments.lexers import JsonLexer
    from pygments.token import Keyword, Name, Operator, String, Text, Whitespace

    class OcppLineLexer(RegexLexer):
        name = "ocppctl REPL line"
        tokens = {
            "root": [
                (r"\s+", Whitespace),
                (r":[a-z]+", Keyword, "arguments"),
                (r"[A-Za-z0-9_]+", Name.Function, "payload"),
                (r"\S+", Text),
            ],
            "arguments": [(r"[\s\S]+", Text)],
            "payload": [
                (r"\s+", Whitespace),
                (r"\{[\s\S]*", using(JsonLexer)),
                (r"([^\s=:]+)(:=)(\S*)", bygroups(Name.Attribute, Operator, using(JsonLexer))),
                (r"([^\s=]+)(=)(\S*)", bygroups(Name.Attribute, Operator, String)),
                (r"\S+", Text),
            ],
        }

    return OcppLineLexer
