"""Values from the data never become Markdown: links, images and emphasis in a centre name stay text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import header, tiny_frames, write_source

from medcare_metrics.text.common import escape_markdown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[click me](http://host/x)", r"\[click me\](http\://host/x)"),
        ("**x**", r"\*\*x\*\*"),
        ("![i](http://host/i.png)", r"\!\[i\](http\://host/i.png)"),
        ("<img src=x>", r"\<img src=x\>"),
        (":red[alarm]", r"\:red\[alarm\]"),
        ("see www.host.org", r"see www\.host.org"),
        ("UZ Leuven", "UZ Leuven"),
        ("line\nbreak", "line break"),
    ],
)
def test_escape_markdown(value: str, expected: str) -> None:
    assert escape_markdown(value) == expected


def test_centre_name_with_a_link_stays_text_in_the_header(app, tmp_path: Path) -> None:
    frames = tiny_frames()
    adsl = frames["adsl"]
    adsl.loc[adsl["SITEID"] == "01", "SITENAME"] = "[click me](http://host/x) **bold**"
    source = write_source(tmp_path / "hostile", **frames)
    at = app("pages/data_quality.py", data=source, query={"SITEID": "01"})
    at.run()
    assert not at.exception
    line = header(at)
    assert r"\[click me\](http\://host/x) \*\*bold\*\*" in line
    assert "[click me](http://host/x)" not in line
