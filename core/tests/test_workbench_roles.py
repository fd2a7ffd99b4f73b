"""The workbench fits the role: who records things leads with quick actions and what is due this month; the
county's tile grid is for those overseeing the whole tree; menus leave out what has nothing for the scope."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.testing import create_user
from activities.models import Activity, ActivityType, Frequency, Plan
from core.navigation import menu_for
from duties.models import Indicator, Scheme
from org.models import Unit

TODAY = timezone.localdate()


def plan(unit, title="同心行活动日计划"):
    return Plan.objects.create(owner_unit=unit, year=TODAY.year, frequency=Frequency.MONTH, title=title,
                               activity_type=ActivityType.objects.get_or_create(name="同心行活动日")[0])


def village_scheme(county):
    scheme = Scheme.objects.create(year=TODAY.year, title="村社考核细则", owner_unit=county,
                                   unit_types=[Unit.Type.VILLAGE], status=Scheme.Status.PUBLISHED)
    basic = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)
    Indicator.objects.create(scheme=scheme, parent=basic, text="报送本村统战工作台账", sort_order=1, points=2,
                             deadline=TODAY.replace(day=15))
    return scheme


def workbench(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("workbench")).content.decode()
    return page, len(queries)


def labels(page, widget):
    block = page.split(f'data-widget="{widget}"', 1)[1].split('data-widget="', 1)[0] if widget in page else ""
    return re.findall(r"<span>([^<]+)</span>", block) if widget == "quick-actions" else block


@pytest.mark.django_db
def test_village_liaison_leads_with_three_actions_and_no_tile_grid(client, org):
    liaison = create_user("w_liaison", org.village1, "village_liaison")
    page, _ = workbench(client, liaison)
    assert labels(page, "quick-actions") == ["记录活动", "新增人员", "记录联系"]
    assert page.index('data-widget="quick-actions"') < page.index('data-widget="due-this-month"')
    assert "常用功能" not in page
    # Nothing assesses the villages: no duty list, letters or results that would only say "没有数据".
    menu = [i.label for _, items in menu_for(liaison) for i in items]
    assert not {"我的职责清单", "发函提醒", "考核结果"} & set(menu)
    assert "活动记录" in menu


@pytest.mark.django_db
def test_due_this_month_lists_the_scope_only(client, org):
    plan(org.village1, "东溪村同心行")
    plan(org.village2, "西岭村同心行")
    village_scheme(org.county)
    page, _ = workbench(client, create_user("w_liaison", org.village1, "village_liaison"))
    due = labels(page, "due-this-month")
    assert f"东溪村 · 东溪村同心行（{TODAY.month}月）" in due
    assert f"{reverse('activities:activity_add')}?plan=" in due
    assert "西岭村同心行" not in due
    assert f"报送本村统战工作台账（{TODAY.year}年）" in due and "职责清单" in due


@pytest.mark.django_db
def test_an_occurrence_held_is_no_longer_due(client, org):
    kept = plan(org.village1, "东溪村同心行")
    start = timezone.make_aware(datetime.datetime(TODAY.year, TODAY.month, 1, 9))
    Activity.objects.create(owner_unit=org.village1, activity_type=kept.activity_type, title="已开展", start=start,
                            end=start + datetime.timedelta(hours=2),
                            plan=kept, content="宣讲")
    page, _ = workbench(client, create_user("w_liaison", org.village1, "village_liaison"))
    assert "东溪村同心行" not in labels(page, "due-this-month")


@pytest.mark.django_db
def test_an_assessed_village_gets_its_duty_list_back(org):
    village_scheme(org.county)
    menu = [i.label for _, items in menu_for(create_user("w_liaison", org.village1, "village_liaison"))
            for i in items]
    assert {"我的职责清单", "发函提醒", "考核结果"} <= set(menu)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["county_staff", "leader"])
def test_county_staff_and_leaders_keep_the_tile_grid(client, org, role):
    page, _ = workbench(client, create_user(f"w_{role}", org.county, role))
    assert "常用功能" in page
    staff_menu = [i.label for _, items in menu_for(create_user(f"m_{role}", org.county, role)) for i in items]
    if role == "county_staff":
        assert labels(page, "quick-actions") == ["记录活动", "新增人员", "记录联系"]
        assert "发函提醒" in staff_menu  # they issue the letters, whatever units are assessed yet
    else:
        assert 'data-widget="quick-actions"' not in page  # a read-only role has nothing to record


@pytest.mark.django_db
def test_administrators_get_neither_actions_nor_due_items(client, org):
    page, _ = workbench(client, create_user("w_sec", org.county, "secadmin"))
    assert 'data-widget="quick-actions"' not in page and 'data-widget="due-this-month"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role,unit", [("village_liaison", "village1"), ("town_officer", "town1"),
                                       ("county_staff", "county"), ("pairing_official", "county")])
def test_workbench_queries_do_not_grow_with_the_data(client, org, role, unit):
    user = create_user(f"w_{role}", getattr(org, unit), role)
    village_scheme(org.county)
    plan(org.village1)
    _, few = workbench(client, user)
    for index in range(12):
        plan(org.village1, f"东溪村计划{index}")
        plan(org.village2, f"西岭村计划{index}")
    page, many = workbench(client, user)
    assert many == few, (few, many)
    assert many <= 30
