"""Every API operation on one object, asked by town02 for an object of town01: 404, exactly as if it did not
exist — and asked by town01 itself, not 404 (so the walk can fail). Operations come from the schema: one with
a path parameter that the walk below does not know fails the test."""

import re

from django.test import TestCase

from accounts.tokens import issue_token
from tongxin.api import api
from tongxin.tests.api_data import api_county

# Path of the schema → the kind of town01 record (api_data) its parameter names.
OBJECT_KIND = {
    "/api/v1/units/{unit_id}/": "unit",
    "/api/v1/people/{person_id}/": "person",
    "/api/v1/people/{person_id}/sensitive/": "person",
}
# A valid body where an operation needs one (so that nothing but the scope can refuse it); {} otherwise.
BODIES = {
    ("patch", "/api/v1/people/{person_id}/"): {"workplace": "新单位"},
}
PARAMETER = re.compile(r"\{(\w+)\}")


def operations_with_an_object():
    schema = api.get_openapi_schema()
    return [(method, path) for path, item in schema["paths"].items() if PARAMETER.search(path)
            for method in item if method in {"get", "post", "put", "patch", "delete"}]


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

    def request(self, who, method, path):
        kind = OBJECT_KIND[path]
        url = PARAMETER.sub(str(self.town01_object(kind).pk), path)
        return getattr(self.client, method)(url, BODIES.get((method, path), {}), content_type="application/json",
                                            **self.headers[who])

    def test_every_operation_with_an_object_is_walked(self):
        unknown = sorted({path for _, path in operations_with_an_object()} - set(OBJECT_KIND))
        self.assertEqual(unknown, [], "operations with an object missing from OBJECT_KIND")

    def test_town02_gets_404_for_every_town01_object(self):
        for method, path in operations_with_an_object():
            with self.subTest(method=method, path=path):
                response = self.request("town02", method, path)
                self.assertEqual(response.status_code, 404, response.content)
                self.assertNotIn(str(self.town01_object(OBJECT_KIND[path])), response.content.decode())

    def test_town01_reaches_its_own_objects(self):
        for method, path in operations_with_an_object():
            with self.subTest(method=method, path=path):
                self.assertNotEqual(self.request("town01", method, path).status_code, 404)
