"""Prospects from a CSV file: each bad line named as file:line with what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from linkequity.errors import UsageError
from linkequity.services.campaigns import read_prospects_csv

if TYPE_CHECKING:
    from pathlib import Path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prospects.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_lines_are_read_and_each_bad_one_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Source URL,Target URL,Anchor,Anchor class,Page gain,Notes\n"
        "HTTP://Blog.Example/a/../post,https://shop.example/,Shop,branded,0.001,met at a fair\n"
        ",https://shop.example/,,,,\n"
        "not a url,https://shop.example/,,,,\n"
        "https://blog.example/x,https://shop.example/,,fancy,,\n"
        "https://blog.example/y,https://shop.example/,,,lots,\n"
        "https://blog.example/z,https://blog.example/z,,,,\n"
        "\n"
        "https://blog.example/w,https://shop.example/,,,,\n",
    )

    rows, skipped = read_prospects_csv(path)

    assert rows == [
        {
            "source_url": "http://blog.example/post",
            "target_url": "https://shop.example/",
            "predicted_page_gain": 0.001,
            "anchor": "Shop",
            "anchor_class": "branded",
            "notes": "met at a fair",
        },
        {
            "source_url": "https://blog.example/w",
            "target_url": "https://shop.example/",
            "anchor": None,
            "anchor_class": None,
            "notes": None,
        },
    ]
    assert [line.split(": ", 1)[0] for line in skipped] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7)]
    assert "no source_url" in skipped[0]
    assert "'not a url' is no URL" in skipped[1]
    assert "anchor_class 'fancy' is unknown: use one of" in skipped[2]
    assert "'lots' is no number" in skipped[3]
    assert "the same page" in skipped[4]


def test_a_header_without_the_urls_is_refused_on_line_1(tmp_path: Path) -> None:
    path = write(tmp_path, "page,anchor\nhttps://blog.example/,x\n")

    with pytest.raises(UsageError, match=r"prospects\.csv:1: no target_url column"):
        read_prospects_csv(path)


def test_a_file_without_a_usable_line_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "source_url,target_url\nnope,nope\n")

    with pytest.raises(UsageError, match=r"holds no usable prospect; first problem: .*:2:"):
        read_prospects_csv(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "source_url,target_url\nhttp://caf\xe9.example/,http://a.example/\n".encode("latin-1")
    )

    with pytest.raises(UsageError, match="not UTF-8"):
        read_prospects_csv(path)
