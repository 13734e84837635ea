from pathlib import Path

import pytest

from linkequity.errors import SettingsError
from linkequity.settings import (
    Settings,
    Source,
    env_var_name,
    load_settings,
    setting_keys,
)


def write_toml(directory: Path, text: str) -> Path:
    path = directory / "linkequity.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_given(tmp_path: Path) -> None:
    loaded = load_settings(environ={}, cwd=tmp_path)
    assert loaded.settings == Settings()
    assert {info.source for info in loaded.describe()} == {Source.DEFAULT}


def test_file_beats_default_env_beats_file_flag_beats_env(tmp_path: Path) -> None:
    write_toml(tmp_path, '[store]\ndb = "from-file.duckdb"\n[ui]\nmax_warnings = 5\n')
    environ = {"LINKEQUITY_STORE_DB": "from-env.duckdb"}

    from_file = load_settings(environ={}, cwd=tmp_path)
    from_env = load_settings(environ=environ, cwd=tmp_path)
    from_flag = load_settings(
        flags={"store.db": Path("from-flag.duckdb")}, environ=environ, cwd=tmp_path
    )

    assert from_file.settings.store.db == Path("from-file.duckdb")
    assert from_file.sources["store.db"] is Source.FILE
    assert from_env.settings.store.db == Path("from-env.duckdb")
    assert from_env.sources["store.db"] is Source.ENV
    assert from_flag.settings.store.db == Path("from-flag.duckdb")
    assert from_flag.sources["store.db"] is Source.FLAG
    # a setting only the file gives keeps the file's value under env and flags
    assert from_flag.settings.ui.max_warnings == 5


def test_absent_flags_do_not_override(tmp_path: Path) -> None:
    loaded = load_settings(
        flags={"store.db": None}, environ={"LINKEQUITY_STORE_DB": "env.duckdb"}, cwd=tmp_path
    )
    assert loaded.settings.store.db == Path("env.duckdb")


def test_config_file_named_by_environment(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[imports]\nsite = "https://example.com/"\n', encoding="utf-8")
    loaded = load_settings(environ={"LINKEQUITY_CONFIG": str(other)}, cwd=tmp_path)
    assert loaded.settings.imports.site == "https://example.com/"


def test_missing_named_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"LINKEQUITY_CONFIG": str(tmp_path / "nope.toml")}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LINKEQUITY_UI_PROGRESS": "no"}, False),
        ({"LINKEQUITY_UI_PROGRESS": "TRUE"}, True),
        ({"LINKEQUITY_UI_PROGRESS": "0"}, False),
    ],
)
def test_booleans_from_environment(
    tmp_path: Path, environ: dict[str, str], *, expected: bool
) -> None:
    assert load_settings(environ=environ, cwd=tmp_path).settings.ui.progress is expected


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[store]\ndbb = 'x'\n", "unknown setting store.dbb"),
        ("[stor]\ndb = 'x'\n", r"unknown section \[stor\]"),
        ("[ui]\nmax_warnings = 'many'\n", "expected int"),
        ("[ui]\nmax_warnings = true\n", "expected int"),
        ("[ui\n", "not valid TOML"),
    ],
)
def test_bad_config_file_names_the_file(tmp_path: Path, toml: str, message: str) -> None:
    path = write_toml(tmp_path, toml)
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(environ={}, cwd=tmp_path)
    assert str(path) in str(caught.value)


def test_unknown_environment_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LINKEQUITY_STORE_DBB"):
        load_settings(environ={"LINKEQUITY_STORE_DBB": "x"}, cwd=tmp_path)


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LINKEQUITY_UI_MAX_WARNINGS"):
        load_settings(environ={"LINKEQUITY_UI_MAX_WARNINGS": "lots"}, cwd=tmp_path)


def test_every_setting_is_documented_and_has_an_env_var() -> None:
    infos = load_settings(environ={}, cwd=Path("/nonexistent")).describe()
    assert [info.key for info in infos] == setting_keys()
    for info in infos:
        assert len(info.help) > 15, f"{info.key} needs help text"
        assert info.env_var == env_var_name(info.key)
    assert env_var_name("store.db") == "LINKEQUITY_STORE_DB"


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.store.db = Path("x")  # type: ignore[misc]
