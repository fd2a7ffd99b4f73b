from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "core.tests.sample"
    label = "sample"
    verbose_name = "测试样例"
