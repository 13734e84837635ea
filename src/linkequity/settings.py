"""Every setting of linkequity, declared once, with its help text.

Precedence, lowest to highest (the names the ``settings`` command prints):

``default``
    the value declared on the dataclass field below;
``file``
    ``linkequity.toml`` in the working directory, or the file named by
    ``LINKEQUITY_CONFIG`` (a missing named file is an error), one table per
    section: ``[store]`` ``db = "site.duckdb"``;
``env``
    ``LINKEQUITY_<SECTION>_<NAME>``, e.g. ``LINKEQUITY_STORE_DB=site.duckdb``;
``flag``
    a command-line flag, e.g. ``--db site.duckdb``.

Settings are read once, at the edge (the CLI or the dashboard), and plain values
are passed down; the pure core never sees this module.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkequity.errors import SettingsError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

ENV_PREFIX = "LINKEQUITY_"
CONFIG_ENV = "LINKEQUITY_CONFIG"
CONFIG_FILE = "linkequity.toml"


class Source(StrEnum):
    """Where the value of a setting came from."""

    DEFAULT = "default"
    FILE = "file"
    ENV = "env"
    FLAG = "flag"


@dataclass(frozen=True)
class StoreSettings:
    """The project database."""

    db: Path = field(
        default=Path("linkequity.duckdb"),
        metadata={"help": "DuckDB project file; created on first import"},
    )


@dataclass(frozen=True)
class ImportSettings:
    """Imports of backlink exports."""

    site: str | None = field(
        default=None,
        metadata={
            "help": "Your site's root URL, for Search Console 'Latest links' exports, "
            "which do not name the page linked to"
        },
    )


@dataclass(frozen=True)
class IngestSettings:
    """Ingestion of web archives."""

    workers: int = field(
        default=0,
        metadata={
            "help": "Processes that parse archived pages; 0 means one per CPU. "
            "Small runs (under 16 MiB of archives) use one"
        },
    )


@dataclass(frozen=True)
class CrawlSettings:
    """The crawler: who it says it is, how hard it goes, how long it waits."""

    user_agent: str = field(
        default="linkequity/0.1 (backlink verification crawler)",
        metadata={
            "help": "User-Agent sent; its first word is the product token robots.txt rules match"
        },
    )
    concurrency: int = field(default=16, metadata={"help": "Requests at once, over all hosts"})
    per_host: int = field(default=2, metadata={"help": "Requests at once to one host"})
    delay_s: float = field(
        default=0.5,
        metadata={
            "help": "Seconds between two requests to one host; a longer robots.txt Crawl-delay wins"
        },
    )
    max_retries: int = field(
        default=2, metadata={"help": "Retries of a URL after no response, a 5xx or a 429"}
    )
    connect_timeout_s: float = field(
        default=10.0, metadata={"help": "Seconds a connection may take to open"}
    )
    read_timeout_s: float = field(
        default=20.0, metadata={"help": "Seconds one read of a response may wait"}
    )
    total_timeout_s: float = field(
        default=60.0, metadata={"help": "Seconds a whole fetch may take, body included"}
    )
    max_body_bytes: int = field(
        default=15 * 1024 * 1024,
        metadata={"help": "Bytes of a body kept, counted after decompression; the rest is cut"},
    )
    error_budget: int = field(
        default=10,
        metadata={"help": "Failures in a row that pause a host; 0 never pauses"},
    )
    host_pause_s: float = field(
        default=60.0, metadata={"help": "Seconds a host that spent its error budget is left alone"}
    )
    follow_nofollow: bool = field(
        default=True,
        metadata={"help": "Queue links marked nofollow, sponsored or ugc as well"},
    )
    sitemaps: bool = field(
        default=True,
        metadata={"help": "Seed a site crawl with the URLs of its sitemaps"},
    )
    workers: int = field(
        default=0,
        metadata={"help": "Processes that parse fetched pages; 0 means one per CPU"},
    )


@dataclass(frozen=True)
class UiSettings:
    """What the command line shows."""

    progress: bool = field(
        default=True,
        metadata={"help": "Show progress bars on a terminal (never when output is piped)"},
    )
    max_warnings: int = field(
        default=20,
        metadata={"help": "Bad-row warnings printed per file before they are only counted"},
    )


@dataclass(frozen=True)
class Settings:
    """All settings, one frozen section per part of linkequity."""

    store: StoreSettings = field(
        default_factory=StoreSettings, metadata={"help": "The project database"}
    )
    imports: ImportSettings = field(
        default_factory=ImportSettings, metadata={"help": "Imports of backlink exports"}
    )
    ingest: IngestSettings = field(
        default_factory=IngestSettings, metadata={"help": "Ingestion of web archives"}
    )
    crawl: CrawlSettings = field(default_factory=CrawlSettings, metadata={"help": "The crawler"})
    ui: UiSettings = field(default_factory=UiSettings, metadata={"help": "The command line"})


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """One setting as the ``settings`` command and the reference show it."""

    key: str
    value: object
    source: Source
    help: str
    env_var: str


@dataclass(frozen=True)
class LoadedSettings:
    """Settings plus where each value came from."""

    settings: Settings
    sources: Mapping[str, Source]

    def describe(self) -> list[SettingInfo]:
        """Every setting with its value, source and help, in declaration order."""
        return [
            SettingInfo(
                key=key,
                value=getattr(getattr(self.settings, section), name),
                source=self.sources.get(key, Source.DEFAULT),
                help=help_text,
                env_var=env_var_name(key),
            )
            for key, section, name, help_text in _declared()
        ]


def env_var_name(key: str) -> str:
    """``store.db`` -> ``LINKEQUITY_STORE_DB``."""
    return ENV_PREFIX + key.replace(".", "_").upper()


def setting_keys() -> list[str]:
    """Every setting key (``section.name``) in declaration order."""
    return [key for key, *_ in _declared()]


def load_settings(
    *,
    flags: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> LoadedSettings:
    """Merge defaults, the config file, the environment and flags, in that order.

    Parameters
    ----------
    flags
        ``{"store.db": Path(...)}`` for flags the user gave; ``None`` values are
        ignored (an absent flag).
    environ
        The environment to read (``os.environ`` when omitted).
    cwd
        Where to look for ``linkequity.toml`` (the working directory when omitted).

    Raises
    ------
    SettingsError
        For an unknown key or variable, or a value of the wrong type; the
        message names the file or variable.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    sources: dict[str, Source] = {}
    for key, value in _read_config_file(environ, cwd or Path.cwd()):
        values[key], sources[key] = value, Source.FILE
    for key, value in _read_environment(environ):
        values[key], sources[key] = value, Source.ENV
    for key, value in (flags or {}).items():
        if value is None:
            continue
        if key not in setting_keys():
            raise AssertionError(f"flag bound to unknown setting {key!r}")
        values[key], sources[key] = _coerce(key, value, origin=f"flag for {key}"), Source.FLAG
    return LoadedSettings(settings=_build(values), sources=sources)


def _declared() -> Iterator[tuple[str, str, str, str]]:
    for section in fields(Settings):
        section_type = _field_types(Settings)[section.name]
        for item in fields(section_type):
            yield f"{section.name}.{item.name}", section.name, item.name, item.metadata["help"]


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read_config_file(environ: Mapping[str, str], cwd: Path) -> Iterator[tuple[str, object]]:
    named = environ.get(CONFIG_ENV)
    path = Path(named) if named else cwd / CONFIG_FILE
    if not path.is_file():
        if named:
            raise SettingsError(f"{CONFIG_ENV} names {path}, which does not exist")
        return
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc
    sections = {key.split(".")[0] for key in setting_keys()}
    for section, table in document.items():
        if section not in sections or not isinstance(table, dict):
            raise SettingsError(
                f"{path}: unknown section [{section}]; known: {', '.join(sorted(sections))}"
            )
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in setting_keys():
                raise SettingsError(f"{path}: unknown setting {key}")
            yield key, _coerce(key, value, origin=f"{path}: {key}")


def _read_environment(environ: Mapping[str, str]) -> Iterator[tuple[str, object]]:
    by_var = {env_var_name(key): key for key in setting_keys()}
    for var in sorted(environ):
        if not var.startswith(ENV_PREFIX) or var == CONFIG_ENV:
            continue
        if var not in by_var:
            raise SettingsError(
                f"unknown environment variable {var}; known: {', '.join(sorted(by_var))}"
            )
        key = by_var[var]
        yield key, _coerce(key, environ[var], origin=var)


def _target_type(key: str) -> type:
    section_name, name = key.split(".")
    annotation = _field_types(_field_types(Settings)[section_name])[name]
    if isinstance(annotation, types.UnionType):
        (annotation,) = (arg for arg in typing.get_args(annotation) if arg is not type(None))
    return typing.cast("type", annotation)


def _coerce(key: str, value: object, *, origin: str) -> object:
    target = _target_type(key)
    if isinstance(value, target) and not (target is int and isinstance(value, bool)):
        return value
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if target is bool:
            lowered = text.lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
        elif target is int:
            try:
                return int(text)
            except ValueError:
                pass
        elif target is float:
            try:
                return float(text)
            except ValueError:
                pass
        elif target is Path:
            return Path(text).expanduser()
    raise SettingsError(f"{origin}: expected {target.__name__}, got {value!r}")


def _build(values: Mapping[str, object]) -> Settings:
    settings = Settings()
    for key, value in values.items():
        section_name, name = key.split(".")
        section = getattr(settings, section_name)
        settings = replace(settings, **{section_name: replace(section, **{name: value})})
    return settings
