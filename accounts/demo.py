"""Demo accounts of 示范县: one per kind of user, all with the same printed password.

They are created as if their initial password had already been changed: the forced change is for
accounts an administrator creates, and would only get in the way of someone trying the demo. Their grants
are created already approved (in force) by the loader itself: nobody requested them on screen, so there is
nothing for `dept_leader`, the demo's grant approver (授权审批), to approve until the security administrator
asks for a new grant.
"""

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.utils import timezone

from org.models import Unit

from .models import Grant, Role, User

ORDER = 20
LABEL = "示范账号"
PASSWORD = "Tongxin#2026"  # noqa: S105 -- the published password of the demo accounts

# username, full name (fictional), built-in role code, where the account sits
ACCOUNTS = [
    ("county_staff", "张明", "county_staff", "county"),
    ("town01", "李红梅", "town_officer", "town1"),
    ("town02", "王建军", "town_officer", "town2"),
    ("village0101", "赵丽", "village_liaison", "village0101"),
    ("leader", "陈国华", "leader", "county"),
    ("official01", "孙志刚", "pairing_official", "county"),
    ("dept_leader", "郑卫东", "grant_approver", "county"),
    ("sysadmin", "刘洋", "sysadmin", "county"),
    ("secadmin", "周静", "secadmin", "county"),
    ("auditor", "吴磊", "auditor", "county"),
]
USERNAMES = [a[0] for a in ACCOUNTS]


def load(ctx):
    taken = list(User.objects.filter(username__in=USERNAMES).values_list("username", flat=True))
    if taken:
        raise CommandError(f"账号已存在：{'、'.join(sorted(taken))}，未重复加载示范数据。")
    roles = Role.objects.in_bulk([a[2] for a in ACCOUNTS], field_name="code")
    missing = sorted({a[2] for a in ACCOUNTS} - set(roles))
    if missing:
        raise CommandError(f"缺少内置角色：{'、'.join(missing)}。请先运行 python manage.py migrate。")

    town1, town2 = ctx.data["towns"][:2]
    places = {
        "county": ctx.data["county"], "town1": town1, "town2": town2,
        "village0101": ctx.data["villages_by_town"][town1][0],
    }
    # PBKDF2 is slow on purpose; the demo accounts share a publicly printed password, so one hash
    # serves them all and loading stays quick.
    password = make_password(PASSWORD)
    now = timezone.now()
    users = User.objects.bulk_create([
        User(username=username, full_name=full_name, unit=places[place], password=password,
             must_change_password=False, password_changed_at=now, date_joined=now)
        for username, full_name, _, place in ACCOUNTS
    ])
    Grant.objects.bulk_create([
        Grant(user=user, role=roles[code], status=Grant.Status.APPROVED)
        for user, (_, _, code, _) in zip(users, ACCOUNTS, strict=True)
    ])
    ctx.data["users"] = {user.username: user for user in users}
    return f"{len(users)} 个账号"


def report(ctx):
    """The logins table, also after a skipped load, as long as the demo accounts exist."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=USERNAMES).select_related("unit").prefetch_related("grants__role")
    }
    if not users or ctx.verbosity < 1:
        return
    rows = []
    for username in USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        roles = "、".join(g.role.name for g in user.grants.all()) or "（无角色）"
        unit = user.unit
        place = "" if unit is None else (
            f"{Unit.objects.get_parent(unit).name} {unit.name}" if unit.depth > 2 else unit.name)
        rows.append((username, user.full_name, roles, place, PASSWORD))
    ctx.write("")
    ctx.write("示范账号（登录后无需修改密码；若已自行修改，以修改后的为准）：")
    ctx.write(ctx.table(["用户名", "姓名", "角色", "单位", "初始密码"], rows))
