"""The one région scope check (accounts.models.Principal.regions_within) the boards, dashboards, FEI stats and
population follow-up share: a région asked outside the principal's is refused, none asked means all visible."""

from __future__ import annotations

import pytest

from accounts.models import Principal, User
from core.errors import Forbidden


def test_a_coordinator_reads_only_its_regions():
    coordinator = Principal(User("coord", "coordinator", regions=("84", "93")), via="test")
    assert coordinator.regions_within(None) == ["84", "93"]
    assert coordinator.regions_within("93") == ["93"]
    with pytest.raises(Forbidden, match="Région hors de votre périmètre"):
        coordinator.regions_within("11")


def test_an_admin_reads_every_region():
    admin = Principal(User("root", "admin"), via="test")
    assert admin.regions_within(None) is None
    assert admin.regions_within("11") == ["11"]
