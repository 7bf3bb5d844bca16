"""Typed configs for every command: one dataclass per command, parsed by `HfArgumentParser`.

Each knob of a command is one dataclass field declared once, with its default and its help:

    ratio: float = field(default=1.0, metadata={"help": "reasoning ratio rho in [0, 1]"})

The same dataclass serves three readers, so a default is never written twice:
- the command line: `CommandParser(BuildDataConfig).parse(argv)` is transformers'
  `HfArgumentParser` (flags `--ratio`, `--field-name` and `--field_name`, booleans as
  `--x`/`--no-x`, `Literal` types and `choices` metadata as choices) plus a `--config FILE` of the same fields (TRL's
  `TrlParser` rule: the file's values replace the defaults, flags given win over the file);
- a YAML/JSON mapping (config files, a study's sections): `from_mapping(cls, data, where)`
  checks every key and type and fails in one line naming the field;
- the way back: `to_argv(cfg)` renders a config as the command line that reproduces it
  (only the fields that differ from their defaults), which is how the study runs its steps.

Field metadata understood here besides `help` (everything else goes to `add_argument`):
`aliases` (extra spellings, the first `--` one is the preferred), `required` (must be given
on the command line, in the file or by the study), `positional` (a positional argument:
one or more values for a list field, exactly one otherwise), `append` (a repeatable flag whose values replace the default list), `cli`
(False: not a flag, e.g. filled in by a caller); for mappings only: `flatten` (a nested
dataclass whose fields may also be written at the outer level, e.g. a judge's endpoint keys
beside its sampling keys) and `env_refs` (a string that may hold `${VAR}` references, kept
verbatim and resolved where used, so a written config still names the variable, not its value).

Mappings nest: a dataclass field reads a mapping, `list[X]`/`tuple[X, ...]` a list of them,
`dict[K, V]` checks every key and value; an error names the whole path
(`panel.yaml: judges[1].endpoint.max_concurrency: expected int, got str 'x'`). `to_mapping`
is the way back (flattened fields written flat).

A value a dataclass rejects in `__post_init__` is raised as `FieldError(field, reason)`; each
reader prefixes it with where the value came from (`--ratio`, `study.students[0].ratio`,
`mix.yaml: ratio`), so every mistake is one line that names its field.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import json
import os
import re
import types
import typing
from pathlib import Path
from typing import Any, Iterable, Literal, Union

from reasoning_suite.errors import UserError

_OWN_KEYS = ("required", "positional", "append", "cli", "flatten", "env_refs")


class FieldError(UserError):
    """A config value its dataclass rejects; `field` names it, readers add where it came from."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def help_of(cls: type, name: str) -> str:
    """The help text of one field (for docs and error messages)."""
    return str(_fields(cls)[name].metadata.get("help", ""))


def default_of(cls: type, name: str) -> Any:
    """The declared default of one field: the one place other modules read a knob's default."""
    f = _fields(cls)[name]
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    raise KeyError(f"{cls.__name__}.{name} has no default")


def _fields(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


# -- the command line --------------------------------------------------------------------------


class _AppendReplacingDefault(argparse.Action):
    """`--data A --data B` -> [A, B]; the first use replaces the default (or the config file's list)."""

    def __call__(self, parser, namespace, values, option_string=None):
        items = getattr(namespace, self.dest, None)
        if items is self.default or items is None:
            items = []
        setattr(namespace, self.dest, [*items, values])


@functools.lru_cache(maxsize=None)
def _command_parser_class() -> type:
    """Defined on first use: importing transformers takes seconds, and `tasks-dir` or a task
    YAML that only needs `option` must stay instant."""
    from transformers import HfArgumentParser

    class CommandParser(HfArgumentParser):
        """`HfArgumentParser` whose errors are one-line `UserError`s, with `--config FILE`.

        `config_file=True` adds `--config` (YAML or JSON with the dataclass' field names; only for a
        single dataclass)."""

        def __init__(self, dataclass_types: type | Iterable[type], *, config_file: bool = False, **kwargs: Any):
            kwargs.setdefault("allow_abbrev", False)
            super().__init__(dataclass_types, **kwargs)
            self._config_file = config_file
            if config_file:
                if len(self.dataclass_types) != 1:
                    raise ValueError("--config needs exactly one dataclass")
                self.add_argument("--config", metavar="FILE",
                                  help=f"YAML/JSON file with {self.dataclass_types[0].__name__} fields; flags given win over it")
            self._declared = {a: (a.default, a.required) for a in self._actions}

        @staticmethod
        def _parse_dataclass_field(parser: argparse.ArgumentParser, field: dataclasses.Field) -> None:
            meta = dict(field.metadata)
            if meta.get("cli", True) is False:
                return
            if meta.get("positional") or meta.get("append"):
                _add_special(parser, field, meta)
                return
            if field.type is bool:  # --x / --no-x, never a value to swallow (argparse's BooleanOptionalAction)
                if field.name.startswith("no_"):
                    raise ValueError(f"{field.name}: name the positive (`{field.name[3:]}: bool = True`); --no-x is made for it")
                aliases = meta.get("aliases", [])
                names = ([aliases] if isinstance(aliases, str) else list(aliases)) + [f"--{field.name}"]
                names += [f"--{field.name.replace('_', '-')}"] if "_" in field.name else []
                kw = {k: v for k, v in meta.items() if k not in _OWN_KEYS and k != "aliases"}
                parser.add_argument(*names, dest=field.name, action=argparse.BooleanOptionalAction,
                                    default=False if field.default is dataclasses.MISSING else field.default, **kw)
                return
            plain = copy.copy(field)
            plain.metadata = types.MappingProxyType({k: v for k, v in meta.items() if k not in _OWN_KEYS})
            HfArgumentParser._parse_dataclass_field(parser, plain)

        def error(self, message: str):  # argparse's own mistakes (unknown flag, bad number, bad choice)
            raise UserError(f"{self.prog}: {message}")

        def parse(self, argv: list[str], *, known: bool = False):
            """Parse `argv` into the dataclass instance(s) (a tuple when there are several or when
            extra non-dataclass arguments were added; with `known`, the unparsed rest comes last)."""
            argv = list(argv)
            if self._config_file:
                for action, (default, required) in self._declared.items():  # undo an earlier parse's file
                    action.default, action.required = default, required
                argv = self._apply_config_file(argv)
            try:
                out = self.parse_args_into_dataclasses(args=argv, return_remaining_strings=True, look_for_args_file=False)
            except FieldError as exc:
                raise UserError(f"{self.prog}: {self.flag(exc.field)}: {exc.reason}") from None
            if not known:
                if out[-1]:
                    self.error(f"unrecognized arguments: {' '.join(out[-1])}")
                out = out[:-1]
            out = tuple(o for o in out if not (isinstance(o, argparse.Namespace) and set(vars(o)) <= {"config"}))
            for obj in out:
                if dataclasses.is_dataclass(obj):
                    self._check_required(obj)
            if len(out) == 1:
                return out[0]
            return out

        def flag(self, name: str) -> str:
            """The preferred spelling of a field's flag (`--output-dir`, `--data`, ...)."""
            fields = {n: f for cls in self.dataclass_types for n, f in _fields(cls).items()}
            for action in self._actions:
                if action.dest == name and action.option_strings and name in fields:
                    return _preferred(action, fields[name])
                if action.dest == name and not action.option_strings:
                    return name.upper()
            return f"--{name.replace('_', '-')}"

        def _check_required(self, obj: Any) -> None:
            for f in dataclasses.fields(obj):
                if f.metadata.get("required") and _is_empty(getattr(obj, f.name)):
                    where = " (or in --config)" if self._config_file else ""
                    raise UserError(f"{self.prog}: {self.flag(f.name)} is required{where}")

        def _apply_config_file(self, argv: list[str]) -> list[str]:
            pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
            pre.add_argument("--config")
            pre.error = self.error  # type: ignore[method-assign]
            known, rest = pre.parse_known_args(argv)
            if not known.config:
                return rest
            cls = self.dataclass_types[0]
            values = from_mapping(cls, load_config_file(known.config), f"{known.config}:", partial=True)
            for action in self._actions:
                if action.dest in values:
                    action.default = values[action.dest]
                    action.required = False
            return rest

    return CommandParser


def __getattr__(name: str) -> Any:  # `from reasoning_suite.config_parsing import CommandParser`
    if name == "CommandParser":
        return _command_parser_class()
    raise AttributeError(name)


def _preferred(action: argparse.Action, field: dataclasses.Field) -> str:
    aliases = field.metadata.get("aliases", [])
    aliases = [aliases] if isinstance(aliases, str) else list(aliases)
    longs = [o for o in aliases if o.startswith("--")] + [o for o in action.option_strings if o.startswith("--")]
    dashed = [o for o in longs if "_" not in o]
    return (dashed or longs or action.option_strings)[0]


def _add_special(parser: argparse.ArgumentParser, field: dataclasses.Field, meta: dict[str, Any]) -> None:
    kw = {k: v for k, v in meta.items() if k not in _OWN_KEYS and k != "aliases"}
    if field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        default = field.default_factory()  # type: ignore[misc]
    else:
        default = None if field.default is dataclasses.MISSING else field.default
    item = _item_type(field.type)
    if meta.get("positional"):  # a list field takes one or more values, any other exactly one
        many = typing.get_origin(field.type) in (list, tuple)
        parser.add_argument(field.name, nargs="+" if many else None, type=item if many else _scalar_type(field.type),
                            default=default, **kw)
        return
    aliases = meta.get("aliases", [])
    aliases = [aliases] if isinstance(aliases, str) else list(aliases)
    names = [*aliases, f"--{field.name}"] + ([f"--{field.name.replace('_', '-')}"] if "_" in field.name else [])
    parser.add_argument(*names, dest=field.name, action=_AppendReplacingDefault, type=item, default=default, **kw)


def _scalar_type(tp: Any) -> Any:
    """The converter of a single positional: its type, or the non-None one of `X | None`."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if args else tp


def _item_type(tp: Any) -> Any:
    args = typing.get_args(tp)
    item = args[0] if args else str
    parse = getattr(item, "from_string", None)
    return parse if parse is not None else item


# -- mappings (config files, study sections) ---------------------------------------------------


def load_config_file(path: str | Path) -> dict[str, Any]:
    """A YAML or JSON file holding one mapping; any problem is one line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such config file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        first = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise UserError(f"{path}{line}: cannot parse config ({exc.__class__.__name__}: {first})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: a config file must hold a mapping of field names to values")
    return data


def _join(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def from_mapping(cls: type, data: Any, where: str, *, exclude: Iterable[str] = (), partial: bool = False,
                 aliases: dict[str, str] | None = None, convert: dict[str, Any] | None = None,
                 not_required: Iterable[str] = ()) -> Any:
    """Check a mapping against `cls` and build it (or, with `partial`, return the checked values
    as a dict without requiring the required fields). `exclude` are fields the caller fills in
    (a mistake to give them); `aliases` maps a YAML key to a field name (`import` -> `import_`);
    `convert` maps a field to its own `(value, where) -> value` reader (a section with rules of
    its own); `not_required` relaxes `required` fields the caller tolerates missing. A field
    with `flatten` metadata also takes its own fields at this level (named here in errors)."""
    if not isinstance(data, dict):
        raise UserError(f"{where.rstrip(':')}: expected a mapping, got {type(data).__name__}")
    aliases = aliases or {}
    hints = typing.get_type_hints(cls)
    fields = {n: f for n, f in _fields(cls).items() if f.init and n not in set(exclude)}
    inner = _flattened(cls, hints, fields)
    shown = {v: k for k, v in aliases.items()}
    values: dict[str, Any] = {}
    flat: dict[str, dict[str, Any]] = {n: {} for n in set(inner.values())}
    for key, value in data.items():
        name = aliases.get(key, key)
        if name not in fields and name in inner:
            flat[inner[name]][name] = value
            continue
        if name not in fields:
            allowed = ", ".join(sorted({shown.get(k, k) for k in fields} | set(inner)))
            raise UserError(f"{_join(where, key)}: unknown field (allowed: {allowed})")
        reader = (convert or {}).get(name)
        values[name] = reader(value, _join(where, key)) if reader else _convert(hints[name], value, _join(where, key))
        _check_field(fields[name], values[name], _join(where, key))
    for name, given in flat.items():
        if given and name in values:
            raise UserError(f"{_join(where, next(iter(given)))}: given both here and under {name!r}; write it once")
        if given or (name not in values and not partial and _required(fields[name]) and name not in set(not_required)):
            values[name] = from_mapping(_inner_type(hints[name]), given, where, partial=partial)
    if partial:
        return values
    missing = [n for n, f in fields.items() if n not in values and n not in set(not_required) and _required(f)]
    if missing:
        raise UserError(f"{where.rstrip(':')}: missing required field {shown.get(missing[0], missing[0])!r}")
    return build(cls, values, where)


def _required(f: dataclasses.Field) -> bool:
    return bool(f.metadata.get("required")) or (
        f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)  # type: ignore[misc]


def _inner_type(tp: Any) -> Any:
    """`X` of a field typed `X` or `X | None`."""
    inner = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
    return inner[0] if len(inner) == 1 else tp


def _flattened(cls: type, hints: dict[str, Any], fields: dict[str, dataclasses.Field]) -> dict[str, str]:
    """Outer key -> the `flatten` field that owns it (its dataclass' init fields)."""
    inner: dict[str, str] = {}
    for name, f in fields.items():
        if not f.metadata.get("flatten"):
            continue
        sub = _inner_type(hints[name])
        if not dataclasses.is_dataclass(sub):
            raise TypeError(f"{cls.__name__}.{name}: flatten needs a dataclass type, got {sub}")
        for key in (g.name for g in dataclasses.fields(sub) if g.init):
            if key in fields or key in inner:
                raise TypeError(f"{cls.__name__}.{name}: flattened field {key!r} clashes with another field")
            inner[key] = name
    return inner


def _check_field(f: dataclasses.Field, value: Any, where: str) -> None:
    """The metadata rules of one field: `choices`, `env_refs`."""
    choices = f.metadata.get("choices")
    given = value if isinstance(value, (list, tuple)) else [value]
    bad = [v for v in given if choices is not None and v is not None and v not in choices]
    if bad:
        raise UserError(f"{where}: must be one of {', '.join(map(str, choices))}, got {bad[0]!r}")
    if f.metadata.get("env_refs") and isinstance(value, str):
        check_env_refs(value, where)


# `${VAR}` or `${VAR:-default}`: the one syntax of an environment reference in a config.
ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def check_env_refs(value: str, where: str) -> None:
    """A `${` that does not open a well-formed reference is a typo to report now, not a URL
    that fails later."""
    rest = ENV_REF.sub("", value)
    if "${" in rest:
        bad = rest[rest.index("${"):][:40]
        raise UserError(f"{where}: malformed environment reference {bad!r} (write ${{NAME}} or ${{NAME:-default}})")


def resolve_env_refs(value: str, *, what: str, error: type[UserError] = UserError) -> str:
    """Replace `${VAR}` (or `${VAR:-default}`) with the variable's value; an unset variable
    without a default raises `error` naming `what` (e.g. "endpoint 'llama' base_url")."""

    def sub(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        got = os.environ.get(var)
        if got:
            return got
        if default is not None:
            return default
        raise error(f"{what}: environment variable {var} is not set")

    return ENV_REF.sub(sub, value)


def to_mapping(obj: Any) -> Any:
    """A config as plain data (the inverse of `from_mapping`): dataclasses as mappings with
    `flatten` fields written flat, tuples as lists, paths as strings, `${VAR}` kept as written."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = to_mapping(getattr(obj, f.name))
            if f.metadata.get("flatten") and isinstance(value, dict):
                out.update(value)
            else:
                out[f.name] = value
        return out
    if isinstance(obj, (list, tuple)):
        return [to_mapping(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_mapping(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    return obj


def project(obj: Any, cls: type, **changes: Any) -> Any:
    """`cls` built from the fields `obj` shares with it (e.g. a command's options out of a study
    section that extends them), with `changes` applied."""
    return cls(**{**{f.name: getattr(obj, f.name) for f in dataclasses.fields(cls) if f.init}, **changes})


def build(cls: type, values: dict[str, Any], where: str) -> Any:
    """`cls(**values)`, a `FieldError` of its checks named under `where`."""
    try:
        return cls(**values)
    except FieldError as exc:
        raise UserError(f"{_join(where, exc.field)}: {exc.reason}") from None


_SCALARS = {bool: "bool", int: "int", float: "float", str: "str"}


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _convert(inner[0], value, where)
        for a in inner:  # e.g. str | float: the first that accepts it
            try:
                return _convert(a, value, where)
            except UserError:
                continue
        raise UserError(f"{where}: expected {' or '.join(_name(a) for a in inner)}, got {_shown(value)}")
    if tp is Any:
        return value
    if value is None:
        raise UserError(f"{where}: must not be empty")
    if origin is Literal:
        if isinstance(value, bool):  # YAML 1.1 reads a bare no/yes as a boolean: the word meant
            value = "yes" if value else "no"
        if value not in args:
            raise UserError(f"{where}: must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise UserError(f"{where}: expected a list, got {_shown(value)}")
        item = args[0] if args else Any
        items = [_convert(item, v, _join(where, i)) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise UserError(f"{where}: expected a mapping, got {_shown(value)}")
        key_type, value_type = args if len(args) == 2 else (Any, Any)
        return {_convert(key_type, k, _join(where, k)): _convert(value_type, v, _join(where, k)) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        parse = getattr(tp, "from_string", None)
        if isinstance(value, str) and parse is not None:
            return parse(value)
        return from_mapping(tp, value, where)
    if tp is Path:
        if not isinstance(value, (str, Path)):
            raise UserError(f"{where}: expected a path, got {_shown(value)}")
        return Path(value)
    if tp in _SCALARS:
        if isinstance(value, bool) and tp is not bool:
            raise UserError(f"{where}: expected {_SCALARS[tp]}, got a boolean")
        ok = (int, float) if tp is float else tp
        if not isinstance(value, ok):
            raise UserError(f"{where}: expected {_SCALARS[tp]}, got {type(value).__name__} {value!r}")
        return float(value) if tp is float else value
    return value


def _name(tp: Any) -> str:
    return _SCALARS.get(tp, getattr(tp, "__name__", str(tp)))


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


# -- the way back: a config as a command line ----------------------------------------------------


def to_argv(cfg: Any, *, skip: Iterable[str] = ()) -> list[str]:
    """The flags that make `CommandParser(type(cfg))` rebuild `cfg`: every field whose value
    differs from its declared default, in its preferred spelling (positionals first)."""
    parser = _command_parser_class()(type(cfg))
    fields = _fields(type(cfg))
    skip = set(skip)
    positional: list[str] = []
    flags: list[str] = []
    seen: set[str] = set()
    for action in parser._actions:
        name = action.dest
        if name not in fields or name in skip or name in seen:
            continue
        seen.add(name)
        value = getattr(cfg, name)
        try:
            default = default_of(type(cfg), name)
        except KeyError:
            default = dataclasses.MISSING
        if value == default:
            continue
        if not action.option_strings:
            positional += [_render(v) for v in value] if action.nargs in ("+", "*") else [_render(value)]
            continue
        flag = _preferred(action, fields[name])
        if isinstance(action, _AppendReplacingDefault):
            for v in value:
                flags += [flag, _render(v)]
        elif typing.get_type_hints(type(cfg))[name] in (bool, bool | None):
            if value:
                flags.append(flag)
            else:
                negated = f"--no-{name.replace('_', '-')}"
                flags += [negated] if any(negated in a.option_strings for a in parser._actions) else [flag, "false"]
        elif value is None:
            raise UserError(f"{flag}: {name} = None cannot be written on the command line (its default is {default!r})")
        elif action.nargs in ("+", "*"):
            flags += [flag, *(_render(v) for v in value)]
        else:
            flags += [flag, _render(value)]
    return positional + flags


def _render(value: Any) -> str:
    to_string = getattr(value, "to_string", None)
    if to_string is not None:
        return to_string()
    return str(value)


def option(default: Any = dataclasses.MISSING, help: str = "", *, factory: Any = dataclasses.MISSING, **meta: Any) -> Any:
    """`field(default=..., metadata={"help": ..., **meta})` (or `default_factory=factory`)."""
    if factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=factory, metadata={"help": help, **meta})
    return dataclasses.field(default=default, metadata={"help": help, **meta})
