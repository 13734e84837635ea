"""The campaign use cases as the package exports them: each name, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import linkequity
from linkequity.services import campaigns

CAMPAIGN_NAMES = (
    "CampaignStatus",
    "add_prospects",
    "campaign_status",
    "campaign_summary",
    "create_campaign",
    "export_campaign",
    "target_campaigns",
    "update_prospect",
)


@pytest.mark.parametrize("name", CAMPAIGN_NAMES)
def test_the_package_exports_each_campaign_use_case(name: str) -> None:
    assert name in linkequity.__all__
    assert getattr(linkequity, name) is getattr(campaigns, name)


def test_importing_the_package_does_not_load_the_campaigns() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, linkequity; print('linkequity.services.campaigns' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
