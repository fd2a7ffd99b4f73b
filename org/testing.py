"""Test support of the org tree, for the tests of every app: a small county, and the places of the demo county's
town01 that generated town ledgers name (the demo loads them)."""

from types import SimpleNamespace

from .demo import SAMPLE_LEDGER_PLACES
from .models import Unit

__all__ = ["SAMPLE_LEDGER_PLACES", "build_county"]


def build_county():
    """示范县 with two towns, a village under the first and a member unit.

    Returns a namespace: county, town1, town2, village1 (in town1), village2 (in town2), member.
    """
    county = Unit.objects.add_root(instance=Unit(name="测试县", type=Unit.Type.COUNTY, division_code="330998"))

    def child(parent, **fields):
        return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=Unit(**fields))

    town1 = child(county, name="东溪镇", type=Unit.Type.TOWN, division_code="330998001", sort_order=1)
    town2 = child(county, name="西岭镇", type=Unit.Type.TOWN, division_code="330998002", sort_order=2)
    village1 = child(town1, name="东溪村", type=Unit.Type.VILLAGE, division_code="330998001001")
    village2 = child(town2, name="西岭村", type=Unit.Type.VILLAGE, division_code="330998002001")
    member = child(county, name="县教育局", type=Unit.Type.MEMBER, sort_order=50)
    return SimpleNamespace(
        county=Unit.objects.get(pk=county.pk), town1=Unit.objects.get(pk=town1.pk),
        town2=Unit.objects.get(pk=town2.pk), village1=village1, village2=village2, member=member,
    )
