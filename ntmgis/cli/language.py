"""The command line's own language: click's words, help texts and usage errors in vi or en.

Click has no Vietnamese catalogue, so the command line brings its own, in one place:

- the language is decided before click parses anything (:func:`resolve`): ``--lang``
  anywhere on the command line, else the ``NTMGIS_LANG`` environment variable, else
  ``[area] language`` of the workspace named by ``-w``/``--workspace`` (or of the
  current folder), else Vietnamese;
- :class:`Command` and :class:`Group` write click's headings ("Usage", "Options",
  "Commands"), the help option's text and the metavars (``TEXT``, ``PATH``...) in that
  language, and turn click's usage errors into the same language (:func:`usage_message`);
- :func:`option` and :func:`argument` take help texts and metavars as ``(vi, en)`` pairs.

Every command of ``ntmgis`` is made with these classes (``cls=Command``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import click
from click import exceptions as cx

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.workspace import find_workspace

__all__ = ["Command", "Group", "Option", "Argument", "option", "argument", "resolve",
           "current", "explicit", "word", "usage_message", "ENV_VAR"]

#: The environment variable that sets the language of every command.
ENV_VAR = "NTMGIS_LANG"

_CURRENT: ContextVar[str | None] = ContextVar("ntmgis_cli_lang", default=None)
_EXPLICIT: ContextVar[str | None] = ContextVar("ntmgis_cli_lang_explicit", default=None)

# Click's own words, as they appear in its English output.
_WORDS: dict[str, str] = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error:": "Lỗi:",
    "Try '{command} {option}' for help.": "Xem '{command} {option}' để biết cách dùng.",
    "[OPTIONS]": "[TÙY_CHỌN]",
    "COMMAND [ARGS]...": "LỆNH [THAM_SỐ]...",
    "default": "mặc định",
    "required": "bắt buộc",
    "env var": "biến môi trường",
    "Aborted!": "Đã dừng!",
}
# Type names click shows as metavars.
_METAVARS: dict[str, str] = {
    "TEXT": "CHUỖI", "INTEGER": "SỐ_NGUYÊN", "INTEGER RANGE": "SỐ_NGUYÊN",
    "FLOAT": "SỐ", "FLOAT RANGE": "SỐ", "PATH": "ĐƯỜNG_DẪN", "FILE": "TỆP",
    "DIRECTORY": "THƯ_MỤC", "BOOLEAN": "ĐÚNG|SAI", "FILENAME": "TỆP",
}
_PATH_KIND = {"File": "Tệp", "Directory": "Thư mục", "Path": "Đường dẫn"}
# Click's usage error sentences -> Vietnamese (the detail of "Invalid value for ...").
_DETAILS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"^(.*) is not a valid integer( range)?\.$", r"\1 không phải là số nguyên."),
        (r"^(.*) is not a valid float( range)?\.$", r"\1 không phải là số."),
        (r"^(.*) is not a valid boolean\.$", r"\1 không phải là đúng/sai."),
        (r"^(.*) is not in the range (.*)\.$", r"\1 nằm ngoài khoảng \2."),
        (r"^(.*) is not one of (.*)\.$", r"\1 không phải một trong \2."),
        (r"^(.*) is not (.*)\.$", r"\1 không phải là \2."),
        (r"^(File|Directory|Path) (.*) does not exist\.$", r"\1 \2 không tồn tại."),
        (r"^(File|Directory|Path) (.*) is a file\.$", r"\1 \2 là một tệp."),
        (r"^(File|Directory|Path) (.*) is a directory\.$", r"\1 \2 là một thư mục."),
        (r"^(File|Directory|Path) (.*) is not (readable|writable)\.$",
         r"\1 \2 không đọc/ghi được."),
        (r"^Option (.*) requires an argument\.$", r"Tùy chọn \1 cần một giá trị."),
        (r"^Option (.*) requires (\d+) arguments\.$", r"Tùy chọn \1 cần \2 giá trị."),
        (r"^Option (.*) does not take a value\.$", r"Tùy chọn \1 không nhận giá trị."),
        (r"^Got unexpected extra arguments? \((.*)\)$", r"Thừa tham số: \1"),
        (r"^Missing command\.$", "Thiếu lệnh."),
        (r"^Argument (.*) takes (\d+) values\.$", r"Tham số \1 cần \2 giá trị."),
    ))


def current() -> str:
    """The language of the command line now: what :func:`resolve` decided, else ``"vi"``."""
    return _CURRENT.get() or "vi"


def explicit() -> str | None:
    """The language the user asked for (``--lang`` anywhere, or ``NTMGIS_LANG``), or None."""
    return _EXPLICIT.get()


def word(text: str, lang: str | None = None) -> str:
    """One of click's words in the command line's language."""
    return _WORDS.get(text, text) if (lang or current()) == "vi" else text


def _arg_value(args: Sequence[str], names: tuple[str, ...]) -> str | None:
    """The value of the last of the options ``names`` in ``args`` (``--x v`` or ``--x=v``)."""
    found = None
    for i, a in enumerate(args):
        if a == "--":
            break
        for name in names:
            if a == name and i + 1 < len(args):
                found = args[i + 1]
            elif a.startswith(name + "=") and name.startswith("--"):
                found = a[len(name) + 1:]
    return found


def _workspace_lang(args: Sequence[str]) -> str | None:
    folder = _arg_value(args, ("-w", "--workspace")) or "."
    try:  # the workspace a command will use: found in a parent folder too, as it does
        toml = Path(folder) if folder.endswith(".toml") else \
            find_workspace(folder) / "ntmgis.toml"
    except (WorkspaceError, OSError):
        return None
    try:
        with open(toml, "rb") as f:
            area = tomllib.load(f).get("area", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    lang = area.get("language") if isinstance(area, dict) else None
    return lang if lang in ("vi", "en") else None


def resolve(args: Sequence[str]) -> tuple[str, str | None]:
    """The language of a command line and the language asked for explicitly.

    Returns
    -------
    (str, str or None)
        The language to speak (``"vi"`` or ``"en"``), and ``--lang`` or ``NTMGIS_LANG``
        when one was given (None otherwise: the workspace decides).
    """
    given = _arg_value(args, ("--lang",))
    if given not in ("vi", "en"):
        given = os.environ.get(ENV_VAR)
        given = given if given in ("vi", "en") else None
    return (given or _workspace_lang(args) or "vi"), given


def _hint(exc: click.BadParameter) -> str | None:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    if exc.param is not None:
        return exc.param.get_error_hint(exc.ctx)  # type: ignore[arg-type]
    return None


def _detail(message: str) -> str:
    for pattern, repl in _DETAILS:
        if pattern.match(message):
            text = pattern.sub(repl, message)
            for en, vi in _PATH_KIND.items():
                if text.startswith(en + " "):
                    text = vi + text[len(en):]
            return text
    return message


def _possibilities(found: list[str] | None) -> str:
    if not found:
        return ""
    return " (Có phải là: " + ", ".join(repr(p) for p in sorted(found)) + "?)"


def usage_message(exc: click.UsageError, lang: str) -> str:
    """The sentence of a click usage error in ``lang`` (click's own in English)."""
    if lang != "vi":
        return exc.format_message()
    if isinstance(exc, cx.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
        what = {"argument": "Thiếu tham số", "option": "Thiếu tùy chọn"}.get(kind, "Thiếu")
        hint = _hint(exc)
        return f"{what} {hint}." if hint else f"{what}."
    if isinstance(exc, cx.BadParameter):
        hint = _hint(exc)
        detail = _detail(exc.message)
        return (f"Giá trị không hợp lệ cho {hint}: {detail}" if hint
                else f"Giá trị không hợp lệ: {detail}")
    if isinstance(exc, cx.NoSuchOption):
        return f"Không có tùy chọn {exc.option_name!r}.{_possibilities(exc.possibilities)}"
    if isinstance(exc, cx.NoSuchCommand):
        return f"Không có lệnh {exc.command_name!r}.{_possibilities(exc.possibilities)}"
    return _detail(exc.message)


class _Translated(click.UsageError):
    """A usage error already in the command line's language, shown in it."""

    def __init__(self, message: str, ctx: click.Context | None, lang: str) -> None:
        super().__init__(message, ctx)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        if self.lang != "vi":
            return super().show(file)
        err = file is None  # click's own default: standard error
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                names = self.ctx.command.get_help_option_names(self.ctx)
                hint = word("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=max(names, key=len)) + "\n"
            click.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=err,
                       color=self.ctx.color)
        click.echo(f"{word('Error:')} {self.format_message()}", file=file, err=err,
                   color=self.ctx.color if self.ctx else None)


def _translate(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, _Translated | cx.NoArgsIsHelpError):
        return exc
    lang = current()
    new = _Translated(usage_message(exc, lang), exc.ctx, lang)
    new.exit_code = exc.exit_code
    return new


class _Formatter(click.HelpFormatter):
    """Click's help formatter, with its headings in the command line's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else word("Usage:") + " ")

    def section(self, name: str) -> Any:
        return super().section(word(name))


class _Context(click.Context):
    formatter_class = _Formatter


def _pair(value: Any) -> tuple[Any, Any]:
    """``(vi, en)`` from a pair, or the same value for both."""
    if isinstance(value, tuple) and len(value) == 2:
        return value
    return value, value


def _by_lang(pair: tuple[Any, Any]) -> Any:
    return pair[1] if current() == "en" else pair[0]


class _Localised:
    """What :class:`Command` and :class:`Group` share: help, headings, errors, language."""

    context_class = _Context

    @property  # type: ignore[override]
    def help(self) -> str | None:
        return _by_lang(self.__dict__.get("_help_pair", (None, None)))

    @help.setter
    def help(self, value: Any) -> None:
        vi, en = _pair(value)
        if "_help_en" in self.__dict__:
            en = self.__dict__["_help_en"]
        self.__dict__["_help_pair"] = (vi, en if en is not None else vi)

    def _set_en(self, help_en: str | None) -> None:
        if help_en is not None:
            import inspect

            self.__dict__["_help_en"] = inspect.cleandoc(help_en)
            vi = self.__dict__.get("_help_pair", (None, None))[0]
            self.__dict__["_help_pair"] = (vi, self.__dict__["_help_en"])

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [word(p) for p in super().collect_usage_pieces(ctx)]  # type: ignore[misc]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = word("Show this message and exit.")
        return opt

    def make_context(self, *args: Any, **kw: Any) -> click.Context:
        try:
            return super().make_context(*args, **kw)  # type: ignore[misc]
        except click.UsageError as exc:
            raise _translate(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as exc:
            raise _translate(exc) from None

    def main(self, args: Sequence[str] | None = None, *a: Any, **kw: Any) -> Any:
        """Decide the language from the command line, then run as click does."""
        argv = list(sys.argv[1:] if args is None else args)
        lang, given = resolve(argv)
        tokens = _CURRENT.set(lang), _EXPLICIT.set(given)
        try:
            return super().main(argv, *a, **kw)  # type: ignore[misc]
        finally:
            _CURRENT.reset(tokens[0])
            _EXPLICIT.reset(tokens[1])


class Command(_Localised, click.Command):
    """A click command whose screens speak the command line's language.

    ``help_en`` is the English help; the docstring (or ``help``) is the Vietnamese.
    """

    def __init__(self, *args: Any, help_en: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._set_en(help_en)


class Group(_Localised, click.Group):
    """A click group whose screens speak the command line's language."""

    command_class = Command

    def __init__(self, *args: Any, help_en: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._set_en(help_en)


Group.group_class = Group


def _translate_extra(record: tuple[str, str] | None) -> tuple[str, str] | None:
    """Click's ``[default: x; required]`` after an option's help, in Vietnamese."""
    if record is None or current() != "vi":
        return record
    name, text = record
    m = re.search(r"\[([^\[\]]*)\]$", text)
    if m:
        inner = re.sub(r"\b(default|required|env var)\b", lambda w: word(w.group(1)),
                       m.group(1))
        text = text[:m.start()] + f"[{inner}]"
    return name, text


class _Param:
    """Help and metavar as ``(vi, en)`` pairs, and click's type names translated."""

    @property
    def help(self) -> str | None:
        return _by_lang(self.__dict__.get("_help_pair", (None, None)))

    @help.setter
    def help(self, value: Any) -> None:
        import inspect

        vi, en = _pair(value)
        self.__dict__["_help_pair"] = tuple(inspect.cleandoc(v) if isinstance(v, str) else v
                                            for v in (vi, en))

    @property
    def metavar(self) -> str | None:
        return _by_lang(self.__dict__.get("_metavar_pair", (None, None)))

    @metavar.setter
    def metavar(self, value: Any) -> None:
        self.__dict__["_metavar_pair"] = _pair(value)

    def make_metavar(self, ctx: click.Context) -> str:
        text = super().make_metavar(ctx)  # type: ignore[misc]
        if self.metavar is None and current() == "vi":
            for en, vi in sorted(_METAVARS.items(), key=lambda kv: -len(kv[0])):
                if text.startswith(en):
                    return vi + text[len(en):]
        return text


class Option(_Param, click.Option):
    """A click option whose help (``help=(vi, en)``) follows the command line's language."""

    def __init__(self, *args: Any, help: Any = None, **kw: Any) -> None:  # noqa: A002
        super().__init__(*args, help=None, **kw)
        self.help = help

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """Click's help line of the option, with its bracketed extras translated."""
        return _translate_extra(super().get_help_record(ctx))


class Argument(_Param, click.Argument):
    """A click argument whose metavar (``metavar=(vi, en)``) follows the language."""

    def __init__(self, *args: Any, help: Any = None, **kw: Any) -> None:  # noqa: A002
        super().__init__(*args, **kw)
        self.help = help


def option(*decls: str, **kw: Any) -> Callable[[Any], Any]:
    """``click.option`` with ``help=(vi, en)`` and ``metavar=(vi, en)``."""
    return click.option(*decls, cls=Option, **kw)


def argument(*decls: str, **kw: Any) -> Callable[[Any], Any]:
    """``click.argument`` with ``metavar=(vi, en)``."""
    return click.argument(*decls, cls=Argument, **kw)
