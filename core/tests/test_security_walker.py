"""The URL security walk itself (core.security_testing): what it finds in the resolver, what it expects of
whom, and what it counts as a leak."""

import io

import docx
import xlsxwriter
from django.http import HttpResponse, JsonResponse
from django.test import SimpleTestCase

from core.security_testing import (
    ACTION,
    FORM,
    LOGIN,
    SKIP,
    Actor,
    Redirect,
    UrlMatrixTestCase,
    admin,
    app_urls,
    needs,
    post_only,
    public,
    response_text,
    signed_in,
    urls_of,
)
from core.tests.sample.models import SampleRecord

ANONYMOUS = Actor("anonymous", signed_in=False, unseen=("near", "far"))
TOWN = Actor("town", actions=frozenset({"view", "change"}), sees=("near",), unseen=("far",))
READER = Actor("reader", actions=frozenset({"view"}), county_wide=True, sees=("near", "far"))
AUDITOR = Actor("auditor", admin_kind="audit", unseen=("near", "far"))


class ResolverTests(SimpleTestCase):
    def test_every_named_url_with_its_namespaces_kwargs_and_app(self):
        found, _ = app_urls()
        # The import pages are core views in a list people/urls.py includes: they are the people app's (its
        # matrix covers them); accounts nests a namespace in a plain include.
        self.assertEqual(found["people:person_import_job"].kwargs, ("pk",))
        self.assertEqual(found["people:person_import_job"].app, "people")
        self.assertEqual(found["people:attachment_download"].kwargs, ("pk", "attachment"))
        self.assertEqual(found["accounts:user_list"].app, "accounts")
        self.assertEqual(found["login"].app, "accounts")
        self.assertEqual(found["workbench"].app, "core")
        self.assertEqual(found["notifications:list"].app, "core")
        self.assertEqual(found["sample:samplerecord_list"].app, "sample")

    def test_a_url_missing_from_the_matrix_or_a_stale_entry_fails_by_name(self):
        urls, _ = urls_of("org")
        matrix = {name: admin("system") for name in urls if name != "org:tree"}
        matrix["org:gone"] = admin("system")
        walker = type("OrgWalker", (UrlMatrixTestCase,), {"app": "org", "matrix": matrix, "__module__": __name__})
        with self.assertRaises(AssertionError) as caught:
            walker("test_matrix_covers_every_url").test_matrix_covers_every_url()
        message = str(caught.exception)
        self.assertIn("新增的网址 org:tree 没有写入权限矩阵", message)
        self.assertIn("权限矩阵中的网址 org:gone 已不存在", message)
        self.assertTrue(hasattr(walker, "test_url_org__unit_edit"))


class ExpectationTests(SimpleTestCase):
    def expect(self, rule, actor, side="inside", method="GET"):
        return UrlMatrixTestCase.expected(None, rule, actor, side, method)

    def test_derived_from_the_need_and_the_scope(self):
        rule = needs(SampleRecord, "change", "record", post=FORM)
        self.assertEqual(self.expect(rule, ANONYMOUS, "outside"), LOGIN)
        self.assertEqual(self.expect(rule, READER), 403)
        self.assertEqual(self.expect(rule, AUDITOR, "outside"), 403)
        self.assertEqual(self.expect(rule, TOWN), 200)
        self.assertEqual(self.expect(rule, TOWN, "outside"), 404)
        self.assertEqual(self.expect(rule, TOWN, "outside", "POST"), 404)
        self.assertEqual(self.expect(rule, TOWN, "inside", "POST"), 200)

    def test_a_valid_action_is_never_sent_where_it_is_allowed(self):
        rule = post_only(SampleRecord, "change", "record")
        self.assertEqual(self.expect(rule, TOWN, "inside", "POST"), SKIP)
        self.assertEqual(self.expect(rule, TOWN, "outside", "POST"), 404)
        self.assertEqual(self.expect(rule, READER, "inside", "POST"), 403)
        self.assertEqual(self.expect(rule, TOWN, "outside", "GET"), 405)
        self.assertEqual(self.expect(rule, ANONYMOUS, "outside", "GET"), LOGIN)

    def test_post_need_public_pages_admin_kinds_and_overrides(self):
        listing = needs(SampleRecord, "view", "record", post=ACTION, post_action="change")
        self.assertEqual(self.expect(listing, READER, "inside", "GET"), 200)
        self.assertEqual(self.expect(listing, READER, "inside", "POST"), 403)
        self.assertEqual(self.expect(public("token"), ANONYMOUS, "outside"), 200)
        self.assertEqual(self.expect(admin("audit"), AUDITOR, "-"), 200)
        self.assertEqual(self.expect(admin("audit"), TOWN, "-"), 403)
        self.assertEqual(self.expect(signed_in(), TOWN, "-"), 200)
        self.assertEqual(self.expect(needs(SampleRecord, "view", county_wide=True), TOWN, "-"), 403)
        self.assertEqual(self.expect(needs(SampleRecord, "view", county_wide=True), READER, "-"), 200)
        self.assertEqual(self.expect(needs(SampleRecord, "manage"), TOWN, "-"), 403)  # no such permission
        special = needs(SampleRecord, "view", "record", overrides={"town": (302, 403)})
        self.assertEqual(self.expect(special, TOWN, "inside"), 302)
        self.assertEqual(self.expect(special, TOWN, "outside"), 403)


class LeakTests(SimpleTestCase):
    def walker(self):
        case = UrlMatrixTestCase("test_matrix_covers_every_url")
        case.places = {name: type("Place", (), {"tag": tag})() for name, tag in (("near", "近甲"), ("far", "远乙"))}
        case.secrets = ("330998196001020010",)
        return case

    def test_text_of_office_downloads(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        workbook.add_worksheet().write(0, 0, "远乙公司")
        workbook.close()
        xlsx = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument."
                                                           "spreadsheetml.sheet")
        self.assertIn("远乙公司", response_text(xlsx))
        document = docx.Document()
        document.add_paragraph("近甲报告")
        buffer = io.BytesIO()
        document.save(buffer)
        word = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument."
                                                            "wordprocessingml.document")
        self.assertIn("近甲报告", response_text(word))
        self.assertEqual(response_text(HttpResponse(b"\x89PNG", content_type="image/png")), "")

    def test_text_behind_json_and_url_escapes(self):
        self.assertIn("远乙", response_text(JsonResponse({"results": [{"text": "远乙（西岭村）"}]})))
        self.assertIn("远乙", response_text(HttpResponse('<a href="/people/?q=%E8%BF%9C%E4%B9%99">')))

    def test_a_record_outside_the_scope_or_a_secret_fails(self):
        case = self.walker()
        page = HttpResponse("<td>远乙</td>", content_type="text/html; charset=utf-8")
        with self.assertRaisesRegex(AssertionError, "a record of far"):
            case.check_leaks(page, TOWN, "near", 200, "GET /x/ as town")
        case.check_leaks(HttpResponse("<td>近甲</td>"), TOWN, "near", 200, "GET /x/ as town")
        # The object a page is about may show on it when the page is allowed (a public sign-in page) …
        case.check_leaks(HttpResponse("远乙"), ANONYMOUS, "far", 200, "GET /s/ as anonymous")
        # … never on a refusal.
        with self.assertRaises(AssertionError):
            case.check_leaks(HttpResponse("远乙"), ANONYMOUS, "far", 404, "GET /s/ as anonymous")
        with self.assertRaisesRegex(AssertionError, "secret"):
            case.check_leaks(HttpResponse("身份证号 330998196001020010"), READER, None, 200, "GET /x/ as reader")

    def test_a_secret_without_an_action_fails_only_for_who_lacks_it(self):
        case = self.walker()
        case.secrets_without = {"change": ("1960-01-02",)}
        page = "出生日期 1960-01-02"
        case.check_leaks(HttpResponse(page), TOWN, "near", 200, "GET /x/ as town")
        with self.assertRaisesRegex(AssertionError, "a secret without change"):
            case.check_leaks(HttpResponse(page), READER, "near", 200, "GET /x/ as reader")
        with self.assertRaisesRegex(AssertionError, "a secret without change"):
            case.check_leaks(HttpResponse(page), AUDITOR, None, 200, "GET /x/ as auditor")

    def test_redirect_expectation_names_its_target(self):
        self.assertEqual(str(Redirect("workbench")), "302→workbench")
