"""ID-number lookups of the ledger, each through core.lookups (audited, guessing limited): the exact search,
the person form's duplicate check and the check of an import."""

from django.db.models import Q

from core import lookups

from .identity import birth_date_from_id, gender_from_id
from .models import Person

SEARCH = "精确查找"
FORM = "登记查重"
IMPORT_CHECK = "导入检查"
IMPORT = "Excel导入"
BATCH = 900  # birth dates per IN (...) list

LookupRefused = lookups.LookupRefused


def registered_elsewhere(unit_name):
    """What a user is told of a number registered outside their scope: that it is, and whom to ask."""
    return f"该身份证号已在台账中登记（登记单位：{unit_name}），请与该单位联系核实"


def registered_birth_identities(numbers):
    """Those of `numbers` whose birth date and gender a registered person with an ID number has (a record
    without a gender counts for both)."""
    wanted = {number: (birth_date_from_id(number), gender_from_id(number)) for number in numbers}
    dates = sorted({birth for birth, _ in wanted.values()})
    found = set()
    for start in range(0, len(dates), BATCH):
        found.update(
            Person.objects.filter(~Q(id_number_hash=""), birth_date__in=dates[start:start + BATCH])
            .order_by().values_list("birth_date", "gender").distinct()
        )
    return {number for number, (birth, gender) in wanted.items()
            if (birth, gender) in found or (birth, "") in found}


def settle(user, source, **kwargs):
    """core.lookups.settle for numbers of the ledger. Raises LookupRefused."""
    return lookups.settle(user, source, registered=registered_birth_identities, object_type=Person._meta.label,
                          **kwargs)
