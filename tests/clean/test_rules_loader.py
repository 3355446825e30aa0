"""One schema for every rule file (zhclean.rules): checked here for each shipped file and
for the faults a user's own file can have."""

from pathlib import Path

import pytest

from zhclean.rules import (
    RulesFileError,
    load_rules_file,
    rule_id_lines,
    rule_words,
    rules_file_hash,
    rules_version,
    shipped_rules_files,
)

SHIPPED = shipped_rules_files()


def test_the_rule_files_ship_inside_the_package() -> None:
    assert {"ad_lines.toml", "dom_tokens.toml", "spam_words.toml", "stop_words.toml"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_file_follows_the_schema(name: str) -> None:
    data = load_rules_file(name)  # the loader checks the schema; this would raise
    header = data["header"]
    assert header["name"] == Path(name).stem
    assert isinstance(header["version"], int)
    ids = [rule["id"] for rule in data["rules"]]
    assert len(ids) == len(set(ids))
    assert all(rule_id.split(".", 1)[0] in header["prefixes"] for rule_id in ids)
    assert set(rule_id_lines(name)) == set(ids)  # every id can be pointed at in the file


def test_copies_are_independent() -> None:
    load_rules_file("ad_lines.toml")["rules"].clear()
    assert load_rules_file("ad_lines.toml")["rules"]


HEADER = '[header]\nname = "mine"\nversion = 3\nprefixes = ["my"]\nsource = "test"\nlicence = "CC0"\n'


def test_a_users_own_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(HEADER + '[[rules]]\nid = "my.words"\nwords = ["的", "了"]\n', encoding="utf-8")
    assert rule_words(str(path)) == ["的", "了"]
    assert len(rules_file_hash(str(path))) == 64
    assert rules_version(str(path)).startswith("3+")


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ('[[rules]]\nid = "my.a"\n', "no \\[header\\]"),
        (
            HEADER.replace("version = 3", 'version = "3"') + '[[rules]]\nid = "my.a"\n',
            "'version' must be a int",
        ),
        (
            HEADER.replace('name = "mine"', 'name = "other"') + '[[rules]]\nid = "my.a"\n',
            "not the file's stem",
        ),
        (HEADER + '[[rule]]\nid = "my.a"\n', "unknown top-level tables"),
        (HEADER, "non-empty \\[\\[rules\\]\\]"),
        (HEADER + '[[rules]]\nid = "your.a"\n', "starting with one of"),
        (HEADER + '[[rules]]\nid = "my.a"\n[[rules]]\nid = "my.a"\n', "duplicate rule id 'my.a'"),
        ("[header\n", "not valid UTF-8 TOML"),
    ],
)
def test_a_file_off_the_schema_is_refused_with_its_fault(tmp_path: Path, content: str, fault: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesFileError, match=fault):
        load_rules_file(str(path))


def test_missing_file_names_where_it_looked() -> None:
    with pytest.raises(FileNotFoundError, match="no_such_rules"):
        load_rules_file("no_such_rules.toml")
