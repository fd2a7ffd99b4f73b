import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Contact, FollowUp, Pairing

# Columns a phone does not have room for: shown from the md breakpoint (768px) up.
SECONDARY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
WRAPPING = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-wrap"}}
TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped"}


def progress_badge(record):
    """进度正常/进度落后 from the annotations of services.with_progress."""
    if getattr(record, "behind", False):
        return format_html('<span class="badge bg-red-lt">{}</span>', "进度落后")
    return format_html('<span class="badge bg-green-lt">{}</span>', "进度正常")


class PairingTable(tables.Table):
    """Pairings with this year's progress (the view annotates `contacts_made`, `expected`, `behind`)."""

    pairing = tables.Column(verbose_name="结对", accessor="pk", order_by=("representative__person__name_pinyin", "id"),
                            attrs={"td": {"class": "text-wrap"}})
    owner_unit = tables.Column(verbose_name="所属单位", order_by=("owner_unit__path", "id"), attrs=SECONDARY)
    contacts_per_year = tables.Column(verbose_name="每年", attrs=SECONDARY)
    contacts_made = tables.Column(verbose_name="已联系/全年", order_by=("contacts_made", "id"))
    behind = tables.Column(verbose_name="进度", order_by=("-behind", "id"))
    start_date = tables.DateColumn(verbose_name="开始日期", format="Y-m-d", attrs=SECONDARY)
    actions = tables.Column(verbose_name="", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Pairing
        fields = ()
        sequence = ("pairing", "owner_unit", "contacts_per_year", "contacts_made", "behind", "start_date", "actions")
        empty_text = "没有符合条件的结对"
        attrs = TABLE_ATTRS
        orderable = True

    def __init__(self, *args, can_add_contact=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_add_contact = can_add_contact

    def render_pairing(self, record):
        ended = record.end_date and record.end_date < timezone.localdate()
        return format_html(
            '<a href="{}">{}</a>{}', record.get_absolute_url(), str(record),
            format_html(' <span class="badge bg-secondary-lt">{}</span>', "已结束") if ended else "",
        )

    def render_owner_unit(self, value):
        return value.display_name

    def render_contacts_made(self, record):
        return format_html("{} / {}", record.contacts_made, record.contacts_per_year)

    def render_behind(self, record):
        return progress_badge(record)

    def render_actions(self, record):
        if not self.can_add_contact:
            return ""
        return format_html(
            '<a class="btn btn-sm btn-primary" href="{}" title="记录联系" aria-label="记录联系">'
            '<i class="ti ti-plus"></i><span class="d-none d-sm-inline ms-1">记录联系</span></a>',
            reverse("friendship:pairing_contact_add", kwargs={"pairing": record.pk}),
        )


class ContactTable(tables.Table):
    contact = tables.Column(verbose_name="联系记录", accessor="pk", order_by=("date", "id"),
                            attrs={"td": {"class": "text-wrap"}})
    official = tables.Column(verbose_name="联系干部", accessor="pairing", orderable=False)
    owner_unit = tables.Column(verbose_name="所属单位", order_by=("owner_unit__path", "id"), attrs=SECONDARY)
    place = tables.Column(verbose_name="地点", attrs=SECONDARY)
    issues = tables.Column(verbose_name="反映问题", accessor="pk", orderable=False)

    class Meta:
        model = Contact
        fields = ()
        sequence = ("contact", "official", "owner_unit", "place", "issues")
        empty_text = "没有符合条件的联系记录"
        attrs = TABLE_ATTRS
        orderable = True

    def render_contact(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_official(self, value):
        return value.official_display

    def render_owner_unit(self, value):
        return value.display_name

    def render_issues(self, record):
        if not record.issues:
            return "—"
        return format_html('<span class="badge bg-orange-lt" title="{}">有</span>', record.issues[:100])


class FollowUpTable(tables.Table):
    description = tables.Column(verbose_name="问题", linkify=True, attrs={"td": {"class": "text-wrap"}})
    representative = tables.Column(verbose_name="代表人士", accessor="contact__pairing__representative__person__name",
                                   order_by=("contact__pairing__representative__person__name_pinyin", "id"),
                                   attrs=SECONDARY)
    assignee = tables.Column(verbose_name="责任人")
    due_date = tables.DateColumn(verbose_name="办理期限", format="Y-m-d")
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = FollowUp
        fields = ()
        sequence = ("description", "representative", "assignee", "due_date", "status")
        empty_text = "没有符合条件的跟进事项"
        attrs = TABLE_ATTRS
        orderable = True
        row_attrs = {"class": lambda record: "table-danger" if is_overdue(record) else "",
                     "data-overdue": lambda record: "1" if is_overdue(record) else ""}

    def render_description(self, value):
        return value if len(value) <= 30 else value[:30] + "…"

    def render_assignee(self, value):
        return value.full_name or value.username

    def render_status(self, record):
        if is_overdue(record):
            return format_html('<span class="badge bg-red text-red-fg">{}</span>', "已逾期")
        if record.status == FollowUp.Status.DONE:
            return format_html('<span class="badge bg-green-lt">{}</span>', "已办结")
        return format_html('<span class="badge bg-blue-lt">{}</span>', "办理中")


def is_overdue(follow_up):
    return follow_up.status == FollowUp.Status.OPEN and follow_up.due_date < timezone.localdate()
