"""Every API operation on one object, asked by town02 for an object of town01: 404, exactly as if it did not
exist — and asked by town01 itself, not 404 (so the walk can fail). Operations come from the schema: one with
a path parameter that the walk below does not know fails the test."""

import datetime
import re

from django.test import TestCase

from accounts.testing import create_user
from accounts.tokens import issue_token
from activities.tests.test_views import jpeg_upload
from duties.tests.test_api import pdf
from tongxin.api import api
from tongxin.tests.api_data import api_county

# Path parameter → the kind of town01 record (api_data) it names; a figure is asked for town01's unit.
OBJECT_KIND = {
    "unit_id": "unit", "person_id": "person", "representative_id": "representative",
    "cultivation_id": "cultivation", "assessment_id": "assessment", "pairing_id": "pairing",
    "contact_id": "contact", "activity_id": "activity", "submission_id": "submission",
}
FIGURE = "activities.held"
# A valid body where an operation needs one (so that nothing but the scope can refuse it); {} otherwise.
BODIES = {
    ("patch", "/api/v1/people/{person_id}/"): {"workplace": "新单位"},
    ("post", "/api/v1/representatives/{representative_id}/stages/"): {
        "stage": "cultivating", "date": str(datetime.date.today()), "reason": "列入培养"},
}
# Multipart uploads: the files field an operation reads.
UPLOADS = {
    ("post", "/api/v1/activities/{activity_id}/photos/"): lambda: {"photos": [jpeg_upload()]},
    ("post", "/api/v1/duties/submissions/{submission_id}/attachments/"): lambda: {"files": [pdf()]},
}
PARAMETER = re.compile(r"\{(\w+)\}")


def operations_with_an_object():
    schema = api.get_openapi_schema()
    operations = [(method, path) for path, item in schema["paths"].items() if PARAMETER.search(path)
                  for method in item if method in {"get", "post", "put", "patch", "delete"}]
    return sorted(operations, key=lambda operation: operation[0] == "delete")  # deletes last: the rest need the object


class OtherTownGets404Tests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.county = api_county()
        cls.headers = {}
        for name in ("town01", "town02"):
            _, secret = issue_token(getattr(cls.county.users, name), name="范围检查", can_write=True)
            cls.headers[name] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def town01_object(self, kind):
        return getattr(self.county.records["town01"], kind)

    def url(self, path):
        if "{name}" in path:
            return path.replace("{name}", FIGURE) + f"?unit={self.county.records['town01'].unit.pk}"
        return PARAMETER.sub(lambda m: str(self.town01_object(OBJECT_KIND[m.group(1)]).pk), path)

    def request(self, who, method, path):
        body = BODIES.get((method, path), {})
        if (method, path) in UPLOADS:
            return self.client.post(self.url(path), UPLOADS[method, path](), **self.headers[who])
        if method == "delete":
            return self.client.delete(self.url(path), **self.headers[who])
        return getattr(self.client, method)(self.url(path), body, content_type="application/json",
                                            **self.headers[who])

    def test_every_operation_with_an_object_is_walked(self):
        names = {name for _, path in operations_with_an_object() for name in PARAMETER.findall(path)}
        self.assertEqual(sorted(names - set(OBJECT_KIND) - {"name"}), [],
                         "path parameters missing from OBJECT_KIND")

    def test_town02_gets_404_for_every_town01_object(self):
        for method, path in operations_with_an_object():
            with self.subTest(method=method, path=path):
                response = self.request("town02", method, path)
                self.assertEqual(response.status_code, 404, response.content)
                self.assertNotIn("东溪", response.content.decode())

    def test_town01_reaches_its_own_objects(self):
        for method, path in operations_with_an_object():
            with self.subTest(method=method, path=path):
                self.assertNotEqual(self.request("town01", method, path).status_code, 404)


class MemberSeesNothingTests(TestCase):
    """A person of the ledger with a self-service account (统战成员) holds no business permission: over the API
    they reach no list, no record and no figure — not even their own record (that is /me/'s, on purpose)."""

    @classmethod
    def setUpTestData(cls):
        cls.county = api_county()
        member = create_user("self01", cls.county.org.village1, "member")
        _, secret = issue_token(member, name="本人", can_write=True)
        cls.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def test_every_list_is_refused_or_empty(self):
        schema = api.get_openapi_schema()
        paths = [path for path, item in schema["paths"].items() if "get" in item and not PARAMETER.search(path)]
        self.assertGreater(len(paths), 8)
        for path in paths:
            with self.subTest(path=path):
                response = self.client.get(path, **self.headers)
                if response.status_code == 200:
                    body = response.json()
                    self.assertEqual(body.get("items", body) if isinstance(body, dict) else body, [])
                else:
                    self.assertIn(response.status_code, (403, 422))

    def test_a_figure_is_refused(self):
        response = self.client.get(f"/api/v1/figures/{FIGURE}/", **self.headers)
        self.assertEqual(response.status_code, 403)
