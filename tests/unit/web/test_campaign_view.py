"""A campaign's address: its name (slashes and all) and the view asked for, from the path."""

from __future__ import annotations

import doctest

import pytest

from linkequity.errors import UsageError
from linkequity.web import campaigns as campaigns_module
from linkequity.web.campaigns import CampaignView, campaign_view


@pytest.mark.parametrize(
    ("segments", "wanted"),
    [
        (["spring"], CampaignView("spring", "page")),
        (["spring", "part", "gains"], CampaignView("spring", "part", "gains")),
        (["spring", "prospects.csv"], CampaignView("spring", "csv")),
        # Sent as %2F, a slash is the name's, whatever follows it.
        (["q3/outreach"], CampaignView("q3/outreach", "page")),
        (["q3/prospects.csv"], CampaignView("q3/prospects.csv", "page")),
        (["q3/part/gains"], CampaignView("q3/part/gains", "page")),
        (["q3/outreach", "prospects.csv"], CampaignView("q3/outreach", "csv")),
        (["q3/outreach", "part", "x/y"], CampaignView("q3/outreach", "part", "x/y")),
        ([""], CampaignView("", "page")),
    ],
)
def test_the_name_is_the_first_segment_and_the_rest_says_the_view(
    segments: list[str], wanted: CampaignView
) -> None:
    assert campaign_view(segments) == wanted


@pytest.mark.parametrize(
    "segments",
    [
        ["q3", "outreach"],
        ["q3", "outreach", "prospects.csv"],
        ["q3", "outreach", "part", "gains"],
        ["spring", "part"],
        ["spring", ""],
        ["..", "..", "secret.txt", "prospects.csv"],
    ],
)
def test_a_slash_left_as_it_is_addresses_nothing(segments: list[str]) -> None:
    with pytest.raises(UsageError, match="is not a campaign's page, part or file"):
        campaign_view(segments)


def test_docstring_examples() -> None:
    failures, tests = doctest.testmod(campaigns_module)
    assert tests > 0
    assert failures == 0
