"""Campaign tables: one row per prospect, every status change recorded, and the migration."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from linkequity.store import Store
from linkequity.store.schema import migrate

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 5, 1, 9, 0)
T1 = datetime(2026, 5, 3, 10, 0)


def prospect(source: str, target: str = "http://t.example/", **fields: object) -> dict[str, object]:
    return {"source_url": source, "target_url": target, "origin": "csv", **fields}


def test_a_campaign_name_is_taken_once(store: Store) -> None:
    first = store.create_campaign("spring", ["t.example"], created_at=T0)

    assert first == 1
    assert store.create_campaign("spring", ["other.example"], created_at=T0) is None
    assert store.campaign("spring") == {
        "id": 1, "name": "spring", "target": ["t.example"], "created_at": T0, "notes": None,
    }  # fmt: skip
    assert store.campaign("autumn") is None


def test_the_same_prospect_twice_is_one_row(store: Store) -> None:
    campaign = store.create_campaign("spring", ["t.example"], created_at=T0)
    assert campaign is not None
    rows = [prospect("http://a.example/"), prospect("http://b.example/", anchor_keywords=["k"])]

    assert store.add_prospects(campaign, rows, created_at=T0) == (2, 0)
    assert store.add_prospects(campaign, [*rows, prospect("http://c.example/")], created_at=T1) == (
        1,
        2,
    )
    stored = store.prospects(campaign)
    assert [row["source_url"] for row in stored] == [
        "http://a.example/", "http://b.example/", "http://c.example/",
    ]  # fmt: skip
    assert {row["status"] for row in stored} == {"new"}
    assert stored[1]["anchor_keywords"] == ["k"]
    assert store.campaigns() == [
        {"name": "spring", "target": ["t.example"], "created_at": T0, "prospects": 3, "live": 0}
    ]


def test_a_status_change_sets_its_time_and_is_recorded(store: Store) -> None:
    campaign = store.create_campaign("spring", ["t.example"], created_at=T0)
    assert campaign is not None
    store.add_prospects(campaign, [prospect("http://a.example/")], created_at=T0)

    store.set_prospect_status(1, "contacted", at=T0, changed_by="hand")
    store.set_prospect_status(1, "live", at=T1, changed_by="verify", note="present")
    store.set_prospect_status(1, "lost", at=T1, changed_by="verify", lost_reason="page_gone")
    store.add_prospect_note(1, at=T1, note="=asked them to restore it")

    [row] = store.prospects(campaign)
    assert (row["status"], row["contacted_at"], row["live_at"], row["lost_at"]) == (
        "lost", T0, T1, T1,
    )  # fmt: skip
    assert row["lost_reason"] == "page_gone"
    assert row["notes"] == "2026-05-03: present\n2026-05-03: =asked them to restore it"
    events = store.campaign_events(campaign)
    assert [(e["old_status"], e["new_status"], e["changed_by"]) for e in events] == [
        (None, "new", "add"),
        ("new", "contacted", "hand"),
        ("contacted", "live", "verify"),
        ("live", "lost", "verify"),
        ("lost", "lost", "hand"),
    ]
    store.set_prospect_status(1, "live", at=T1, changed_by="verify")
    assert store.prospects(campaign)[0]["lost_reason"] is None


def test_the_latest_check_comes_with_each_prospect(store: Store) -> None:
    campaign = store.create_campaign("spring", ["t.example"], created_at=T0)
    assert campaign is not None
    store.add_prospects(campaign, [prospect("http://a.example/")], created_at=T0)
    base = {"prospect_id": 1, "checked_at": T0}
    store.record_prospect_checks(
        [
            {**base, "snapshot_id": 2, "outcome": "link_removed"},
            {**base, "snapshot_id": 3, "outcome": "present", "anchor_now": "Brand"},
        ]
    )

    [row] = store.prospects(campaign)
    assert (row["check_outcome"], row["check_snapshot_id"], row["anchor_now"]) == (
        "present", 3, "Brand",
    )  # fmt: skip


def test_a_version_6_store_gains_the_campaign_tables_and_keeps_its_data(store_path: Path) -> None:
    with duckdb.connect(str(store_path)) as conn:
        assert migrate(conn, store_path, target=6) == 6
        conn.execute("INSERT INTO snapshots VALUES (1, 'crawl', now()::TIMESTAMP, NULL, 'x', '{}')")

    with Store.open(store_path) as store:
        assert store.latest_snapshot_id() == 1
        assert store.create_campaign("spring", ["t.example"], created_at=T0) == 1
