"""`manage.py bootstrap_accounts`: the first accounts of a fresh production install (三员分立).

Creates the three separated administrators (系统管理员, 安全管理员, 审计管理员) and one grant approver
(授权审批（部领导）), each holding its built-in role, each with a generated initial password printed once and changed
at first login. Their grants take effect at once: the admin roles always do, and the first approver's grant has
nobody who could approve it — both facts are in the audit events the command writes, under the user name "manage.py".

The accounts sit at the root of the org tree: the approver's scope (本单位及以下) must cover every account whose
grants it approves, and only the root covers them all. On an empty tree the command creates the root from
`--root-name` (the system administrator it is about to create could otherwise only add it after the approver
exists, anchored nowhere); the system administrator then adds or imports the rest under it.

Runs once: it refuses (exit 2) when any of the three admin roles is already held by an active account. Later,
`--add-approver` only adds another approver account, for when the only approver left or lost access (e.g. their
password was reset, which makes their own approver grant wait for another approver).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import approval, services
from accounts.models import Grant, Role, User
from accounts.roles import BUILTIN_ROLES
from core import audit
from core.demo import DemoContext
from org.models import Unit
from org.services import UnitRuleError, create_root

ACTOR = "manage.py"
# option, built-in role code, default user name
ACCOUNTS = [
    ("sysadmin", "sysadmin", "sysadmin"),
    ("secadmin", "secadmin", "secadmin"),
    ("auditor", "auditor", "auditor"),
    ("approver", "grant_approver", "approver"),
]
APPROVER_NOTE = "由 manage.py bootstrap_accounts 创建，直接生效：新安装上没有其他人可以审批首个授权审批人"
ADDED_APPROVER_NOTE = "由 manage.py bootstrap_accounts --add-approver 补充，直接生效：未经其他授权审批人审批"


def refuse(message):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "新安装初始化：创建系统管理员、安全管理员、审计管理员和一名授权审批人（部领导）账号，各持其内置角色，"
        "初始密码只打印一次，首次登录须修改。已有三员账号时拒绝运行（退出码 2）；--add-approver 只补充一名授权审批人。"
    )

    def add_arguments(self, parser):
        for option, code, default in ACCOUNTS:
            parser.add_argument(f"--{option}", metavar="USERNAME",
                                help=f"{_role_label(code)}的用户名（默认 {default}）")
        parser.add_argument("--root-name", metavar="NAME",
                            help="组织机构为空时新建的顶级单位名称（如“某某县”）；已有顶级单位时不可用")
        parser.add_argument("--division-code", metavar="CODE", help="新建顶级单位的区划代码（6位，可省略）")
        parser.add_argument("--root-type", choices=Unit.Type.values, default=Unit.Type.COUNTY,
                            help="新建顶级单位的类型（默认 county，即县区）")
        parser.add_argument("--unit", metavar="UNIT",
                            help="账号所属单位（区划代码或单位编号）；默认为唯一的顶级单位")
        parser.add_argument("--add-approver", action="store_true",
                            help="只新建一名授权审批人账号（原审批人离任或无法登录时），授权直接生效并记入审计日志")

    def handle(self, *args, add_approver, root_name, division_code, root_type, unit, **options):
        roles = Role.objects.in_bulk([code for _, code, _ in ACCOUNTS], field_name="code")
        if len(roles) < len(ACCOUNTS):
            raise refuse("缺少内置角色，请先运行 python manage.py migrate。")
        given = {option: options[option] for option, _, _ in ACCOUNTS if options[option] is not None}
        if add_approver:
            wrong = [f"--{option}" for option in given if option != "approver"]
            if wrong:
                raise refuse(f"--add-approver 只新建授权审批人账号，不能同时指定 {'、'.join(wrong)}。")
            wanted = [("approver", "grant_approver")]
        else:
            self.check_no_admins()
            wanted = [(option, code) for option, code, _ in ACCOUNTS]
        usernames = {option: (given.get(option) or default).strip() for option, _, default in ACCOUNTS}
        self.check_usernames({option: usernames[option] for option, _ in wanted})

        with audit.acting_as(ACTOR), transaction.atomic():
            place, root_created = self.place(root_name, division_code, root_type, unit)
            created = [(code, *self.create_account(usernames[option], place, roles[code], add_approver))
                       for option, code in wanted]
        self.report(created, place, root_created, add_approver)

    # --- checks -------------------------------------------------------------------------------------------

    def check_no_admins(self):
        kinds = [Role.AdminKind.SYSTEM, Role.AdminKind.SECURITY, Role.AdminKind.AUDIT]
        held = sorted(Grant.objects.filter(
            status=Grant.Status.APPROVED, user__is_active=True, role__admin_kind__in=kinds,
        ).select_related("user", "role"), key=lambda g: (kinds.index(g.role.admin_kind), g.user.username))
        if held:
            names = "、".join(f"{grant.role.name} {grant.user.username}" for grant in held)
            raise refuse(f"已有启用的三员管理员账号（{names}），初始化只能在新安装上运行一次，未做任何修改。"
                         "如需补充授权审批人，请加 --add-approver；其他账号请由安全管理员在“用户管理”中新建。")

    def check_usernames(self, usernames):
        """`usernames`: {option: user name}. The same rules as the security administrator's “新建用户” page."""
        field = User._meta.get_field("username")
        for option, username in usernames.items():
            try:
                field.run_validators(username)
            except ValidationError as exc:
                raise refuse(f"--{option} 的用户名“{username}”不可用：{'；'.join(exc.messages)}") from exc
        if len({u.lower() for u in usernames.values()}) < len(usernames):
            raise refuse(f"用户名不能重复：{'、'.join(usernames.values())}。")
        taken = [(option, u) for option, u in usernames.items() if User.objects.filter(username__iexact=u).exists()]
        if taken:
            raise refuse(f"用户名已被使用：{'、'.join(u for _, u in taken)}。请用 "
                         f"{'、'.join(f'--{option}' for option, _ in taken)} 指定其他用户名。")

    # --- writing ------------------------------------------------------------------------------------------

    def place(self, root_name, division_code, root_type, reference):
        """(the unit the accounts sit in, whether the command created it)."""
        if not Unit.objects.exists():
            if reference:
                raise refuse("组织机构为空，--unit 无从指定：请用 --root-name（及 --division-code）新建顶级单位。")
            if not root_name:
                raise refuse("组织机构为空：请用 --root-name 指定顶级单位名称（如 --root-name 某某县 "
                             "--division-code 330999），账号将建在该单位；其余单位由系统管理员登录后新建或导入。")
            return self.create_root(root_name, division_code, root_type), True
        if root_name or division_code:
            roots = "、".join(Unit.objects.filter(depth=1).order_by("path").values_list("name", flat=True))
            raise refuse(f"组织机构已有顶级单位（{roots}），不再新建：请去掉 --root-name、--division-code。")
        if reference:
            unit = Unit.resolve(reference)
            if unit is None:
                raise refuse(f"找不到单位“{reference}”（请填写区划代码或单位编号）。")
            return unit, False
        roots = list(Unit.objects.filter(depth=1).order_by("path"))
        if len(roots) > 1:
            names = "、".join(f"{root.name}（编号 {root.pk}）" for root in roots)
            raise refuse(f"组织机构有多个顶级单位：{names}。请用 --unit 指定账号所属单位。")
        return roots[0], False

    def create_root(self, name, division_code, root_type):
        try:
            return create_root(name, division_code, root_type)
        except UnitRuleError as error:
            raise refuse(f"无法新建顶级单位：{'；'.join(error.messages)}") from error

    def create_account(self, username, unit, role, added):
        """(the account, its initial password). Its grant is in force at once and audited as such."""
        user = User(username=username, unit=unit)
        password = services.issue_password(user)
        user.save()
        services.record_account(user, {"操作": ["", "新建账号"], "方式": ["", "命令行 bootstrap_accounts"],
                                       **services.diff({}, services.account_values(user))})
        grant = Grant(user=user, role=role, status=Grant.Status.APPROVED)
        changes = {}
        if not role.admin_kind:
            grant.decided_at = timezone.now()
            grant.decision_note = ADDED_APPROVER_NOTE if added else APPROVER_NOTE
            changes["说明"] = ["", grant.decision_note]
        grant.save()
        operation = approval.OP_ADD_APPROVER if added else approval.OP_BOOTSTRAP
        services.record_grant(grant, {"操作": ["", operation], **services.diff({}, services.grant_values(grant)),
                                      **changes})
        return user, password

    # --- output -------------------------------------------------------------------------------------------

    def report(self, created, place, root_created, added):
        if root_created:
            code = f"（区划代码 {place.division_code}）" if place.division_code else ""
            self.stdout.write(f"已新建顶级单位“{place.name}”{code}。")
        self.stdout.write(f"已创建以下账号，所属单位：{place.name}")
        rows = [(_role_label(code), user.username, password) for code, user, password in created]
        self.stdout.write(DemoContext.table(["角色", "用户名", "初始密码"], rows))
        self.stdout.write("首次登录须修改密码。以上初始密码只显示这一次，系统不保存明文：请当面或通过安全渠道交给本人。")
        approver = next(user for code, user, _ in created if code == "grant_approver")
        if added:
            self.stdout.write(f"授权审批人“{approver.username}”的授权未经其他审批人审批、直接生效，已记入审计日志。"
                              f"可审批{place.name}及其下级单位的账号的授权。")
            return
        self.stdout.write(f"三员管理员的授权即时生效；授权审批人“{approver.username}”的授权直接生效"
                          "（新安装上没有其他人可以审批它），均已记入审计日志。")
        self.stdout.write(f"“{approver.username}”可审批{place.name}及其下级单位的账号的授权。下一步：系统管理员登录后"
                          "新建或导入组织机构，安全管理员登录后新建账号并申请业务授权，由授权审批人批准后生效。")


def _role_label(code):
    return next(name for role_code, name, *_ in BUILTIN_ROLES if role_code == code)
