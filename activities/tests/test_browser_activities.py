"""A village liaison records an activity on a phone (and at a desk): type and plan prefilled, a participant
picked from the ledger by pinyin initials, a photo from the camera → the activity with its photo."""

import re

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from accounts.testing import browser_login, create_user
from activities.demo import seed_types
from activities.models import Activity, Frequency, Plan, occurrence_for
from org.testing import build_county
from people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def village(db):
    org = build_county()
    types = seed_types()  # a database flushed by an earlier live-server test has lost the migration's rows
    create_user("liaison", org.village1, "village_liaison", full_name="赵联络")
    for name in ("张三丰", "张山", "李四"):
        Person.objects.create(name=name, owner_unit=org.village1)
    Person.objects.create(name="张三峰", owner_unit=org.village2)  # another village: not in the liaison's scope
    plan = Plan.objects.create(title="每月同心行活动日", activity_type=types["同心行活动日"], frequency=Frequency.MONTH,
                               year=timezone.localdate().year, owner_unit=org.village1)
    return org, plan


def photo_file(tmp_path):
    """A small JPEG, as a phone camera would send (much smaller)."""
    image = Image.new("RGB", (800, 600), (70, 130, 180))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 380, 680, 560), fill=(200, 60, 50))
    draw.ellipse((560, 60, 720, 220), fill=(250, 210, 60))
    path = tmp_path / "IMG_0001.jpg"
    image.save(path, "JPEG", quality=85)
    return path


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 800)])
def test_liaison_records_an_activity_with_a_photo(live_server, new_page, output_dir, tmp_path, village, width,
                                                    height):
    org, plan = village
    page = new_page(width, height)
    browser_login(page, live_server.url, "liaison")
    page.goto(f"{live_server.url}/activities/add/")
    expect(page.locator(".page-title")).to_contain_text("记录活动")
    expect(page.locator("form[data-activity-form]")).to_contain_text(f"组织单位：{org.village1.name}")

    # Prefilled: the first type (同心行活动日), now, a title from both, and the village's plan of this year.
    today = timezone.localdate()
    assert page.locator("#id_activity_type option:checked").inner_text() == "同心行活动日"
    assert page.input_value("#id_start").startswith(f"{today:%Y-%m-%d}T")
    assert page.input_value("#id_title") == f"{today.month}月{today.day}日同心行活动日"
    assert page.input_value("#id_plan") == str(plan.pk)

    page.fill("#id_place", "东溪村文化礼堂")
    picker = page.locator("#id_participants + .ts-wrapper")
    picker.click()
    page.keyboard.type("zsf")
    dropdown = picker.locator(".ts-dropdown")
    option = dropdown.locator(".option:has-text('张三丰')")
    expect(option).to_have_count(1)
    expect(dropdown).not_to_contain_text("张三峰")  # out of scope
    expect(dropdown).not_to_contain_text("李四")
    option.click()
    expect(picker.locator(".item")).to_contain_text("张三丰")
    page.keyboard.press("Escape")
    page.fill("#id_other_participants", "12")
    page.fill("#id_content", "组织党外人士开展政策宣讲和义诊，服务群众60余人次。")
    page.set_input_files("#id_photos", str(photo_file(tmp_path)))
    expect(page.locator("[data-photo-preview] img")).to_have_count(1)
    expect(page.locator("[data-photo-preview]")).to_contain_text("已选择 1 张")
    page.screenshot(path=str(output_dir / f"activities-form-{width}.png"), full_page=True)

    save = page.locator("button:has-text('保存活动')")
    if width < 992:
        assert save.bounding_box()["width"] >= 300  # full width on a phone
    save.click()
    page.wait_for_url(re.compile(r"/activities/\d+/$"))

    activity = Activity.objects.get()
    assert page.url == f"{live_server.url}{activity.get_absolute_url()}"
    assert [p.name for p in activity.participants.all()] == ["张三丰"]
    assert (activity.owner_unit, activity.plan, activity.other_participants) == (org.village1, plan, 12)
    assert activity.occurrence == occurrence_for(Frequency.MONTH, timezone.localtime(activity.start).date())
    assert activity.created_by.username == "liaison"
    photo = activity.photos.get()
    assert photo.uploaded_by.username == "liaison"

    expect(page.locator(".page-title")).to_contain_text(activity.title)
    expect(page.locator("[data-participants]")).to_contain_text("张三丰")
    expect(page.locator("[data-plan-occurrence]")).to_contain_text("每月同心行活动日")
    thumbnail = page.locator("[data-gallery] img")
    expect(thumbnail).to_have_count(1)
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    natural = thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert 0 < natural[0] < 800 and natural[1] > 0  # the thumbnail, not the full photo
    page.screenshot(path=str(output_dir / f"activities-detail-{width}.png"), full_page=True)
