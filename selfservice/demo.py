"""Demo of 本人自助: one person of town01's first village with a self-service account (member01), one change
request of theirs waiting for the town, and one activity of the town open for sign-up."""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Grant, Role, User
from activities.models import Activity, ActivityType
from org.models import Unit
from people.choices import Status
from people.models import Person

from . import services
from .models import ChangeRequest, MemberLink

ORDER = 65  # after the ledger (30) and the activities (60); duties (70) stays last
LABEL = "本人自助"
USERNAME = "member01"
PASSWORD = "Tongxin#2026"  # noqa: S105 -- the published password of the demo accounts
TOWN_OFFICER = "town01"


def has_data():
    return MemberLink.objects.exists()


def load(ctx, today=None):
    officer = User.objects.filter(username=TOWN_OFFICER).select_related("unit").first()
    if officer is None or officer.unit is None:
        raise CommandError("缺少示范账号 town01，请先加载示范账号。")
    # A person of the town's first village that has one, preferably with a workplace to declare a change of (a
    # small demo ledger leaves some villages empty and some people without a workplace).
    in_villages = Person.objects.filter(
        owner_unit__in=Unit.objects.filter(officer.unit.subtree_q(), type=Unit.Type.VILLAGE), status=Status.ACTIVE,
    ).order_by("owner_unit__path", "pk").select_related("owner_unit")
    person = in_villages.exclude(workplace="").first() or in_villages.first()
    if person is None:  # a ledger demo too small to reach town01's villages: nobody to give an account to
        return f"跳过：{officer.unit.name}的村社没有台账人员，未开通本人自助示范账号"
    village = person.owner_unit
    now = timezone.now()
    user = User.objects.create(username=USERNAME, full_name=person.name, unit=person.owner_unit,
                               password=make_password(PASSWORD), must_change_password=False,
                               password_changed_at=now, date_joined=now)
    Grant.objects.create(user=user, role=Role.objects.get(code=services.MEMBER_ROLE), status=Grant.Status.APPROVED)
    link = MemberLink.objects.create(user=user, person=person, created_by=officer)
    services.submit_change(link, ChangeRequest.Item.POSITION, {"position": "副校长"}, note="今年九月起任副校长")
    kind = ActivityType.objects.filter(is_active=True).order_by("sort_order", "pk").first()
    day = (today or timezone.localdate()) + datetime.timedelta(days=10)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
    Activity.objects.create(
        title="同心大讲堂：惠企政策宣讲", activity_type=kind, start=start, end=start + datetime.timedelta(hours=2),
        place=f"{officer.unit.name}文化礼堂", owner_unit=officer.unit, created_by=officer,
        content="宣讲惠企政策，现场答疑。",
        signup_open=True, signup_deadline=start - datetime.timedelta(days=1), signup_capacity=50)
    return f"自助账号 {USERNAME}（{person.name}，{village.name}）"


def report(ctx):
    link = MemberLink.objects.select_related("person__owner_unit").filter(user__username=USERNAME).first()
    if link is None or ctx.verbosity < 1:
        return
    ctx.write(f"本人自助示范账号：{USERNAME}（{link.person.name}，{link.person.owner_unit.name}），密码 {PASSWORD}")
