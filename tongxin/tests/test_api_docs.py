"""The API's schema and documentation are served from this site alone: no CDN, no inline script."""

import re

from django.test import TestCase


class ApiDocsTests(TestCase):
    def test_the_schema_lists_every_router_with_token_security(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        self.assertEqual(schema["info"]["title"], "同心 API")
        self.assertIn("/api/v1/people/{person_id}/", schema["paths"])
        self.assertIn("bearer", str(schema["components"]["securitySchemes"]).lower())
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                with self.subTest(method=method, path=path):
                    self.assertTrue(operation.get("security"), "every operation needs the token")
                    self.assertLessEqual({"401", "404", "422", "429"}, set(operation["responses"]))

    def test_the_docs_page_loads_swagger_from_local_static_files(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertIn("/static/ninja/swagger-ui-bundle.js", sources)
        self.assertFalse([s for s in sources if "//" in s], "nothing from another host")
        self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"].split("script-src")[1].split(";")[0])

    def test_answers_carry_chinese_as_utf8_not_escapes(self):
        response = self.client.get("/api/v1/people/")
        self.assertEqual(response.status_code, 401)
        self.assertIn("访问令牌", response.content.decode("utf-8"))

    def test_an_unknown_api_path_is_json(self):
        response = self.client.get("/api/v1/nothing-here/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("detail", response.json())
