import json

import pytest

from linkequity.model.records import WatLink
from linkequity.sources.wat import parse_wat_metadata


def wat(links: list[object], *, head: dict[str, object] | None = None) -> bytes:
    html: dict[str, object] = {"Links": links}
    if head is not None:
        html["Head"] = head
    return json.dumps(
        {
            "Envelope": {
                "WARC-Header-Metadata": {"WARC-Date": "2023-01-27T01:20:56Z"},
                "Payload-Metadata": {
                    "HTTP-Response-Metadata": {
                        "Response-Message": {"Status": "200"},
                        "HTML-Metadata": html,
                    }
                },
            }
        }
    ).encode()


def test_relative_anchor_links_are_resolved_and_others_counted() -> None:
    payload = wat(
        [
            {"path": "A@/href", "url": "../b.html", "text": " two\n words ", "rel": "NoFollow UGC"},
            {"path": "AREA@/href", "url": "/map", "title": "t"},
            {"path": "IMG@/src", "url": "x.gif"},
            {"path": "LINK@/href", "url": "style.css"},
        ]
    )
    links = parse_wat_metadata(payload, page_url="HTTP://Example.com/a/c.html#top")
    assert links is not None
    assert links.url == "http://example.com/a/c.html"
    assert links.status == 200
    assert links.fetched_at is not None
    assert links.fetched_at.year == 2023
    assert links.links == (
        WatLink("http://example.com/b.html", "two words", frozenset({"nofollow", "ugc"})),
        WatLink("http://example.com/map", "", frozenset(), "t"),
    )
    assert (links.listed_links, links.other_links, links.unresolved_links) == (4, 2, 0)


def test_base_href_wins_over_the_page_url() -> None:
    payload = wat([{"path": "A@/href", "url": "p"}], head={"Base": "https://cdn.example.org/d/"})
    links = parse_wat_metadata(payload, page_url="http://example.com/")
    assert links is not None
    assert [link.url for link in links.links] == ["https://cdn.example.org/d/p"]


def test_unusable_base_falls_back_to_the_page() -> None:
    payload = wat([{"path": "A@/href", "url": "p"}], head={"Base": "javascript:void(0)"})
    links = parse_wat_metadata(payload, page_url="http://example.com/x/")
    assert links is not None
    assert [link.url for link in links.links] == ["http://example.com/x/p"]


def test_bad_urls_are_counted_not_kept() -> None:
    payload = wat(
        [
            {"path": "A@/href", "url": "mailto:a@example.com"},
            {"path": "A@/href", "url": "javascript:go()"},
            {"path": "A@/href", "url": "http://exa mple.com/"},
            {"path": "A@/href"},
            "not an entry",
        ]
    )
    links = parse_wat_metadata(payload, page_url="http://example.com/")
    assert links is not None
    assert links.links == ()
    assert (links.listed_links, links.other_links, links.unresolved_links) == (5, 1, 4)


def test_missing_keys_give_a_page_without_links() -> None:
    payload = json.dumps({"Envelope": {"Payload-Metadata": {"HTTP-Response-Metadata": {"x": 1}}}})
    links = parse_wat_metadata(payload.encode(), page_url="http://example.com/")
    assert links is not None
    assert links.links == ()
    assert links.status is None
    assert links.fetched_at is None


@pytest.mark.parametrize(
    "payload",
    [
        b"{}",
        b'{"Envelope": []}',
        b'{"Envelope": {"Payload-Metadata": {"HTTP-Request-Metadata": {}}}}',
    ],
)
def test_records_of_no_response_give_none(payload: bytes) -> None:
    assert parse_wat_metadata(payload, page_url="http://example.com/") is None


def test_unusable_page_url_gives_none() -> None:
    assert parse_wat_metadata(wat([]), page_url="dns:example.com") is None


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_non_json_object_payload_raises_value_error(payload: bytes) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_wat_metadata(payload, page_url="http://example.com/")
