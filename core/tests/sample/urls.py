from django.urls import include, path

from core.urls_helpers import object_urls
from tongxin.urls import handler403, handler404, handler500
from tongxin.urls import urlpatterns as project_urls

from . import views
from .models import SampleRecord

sample_patterns = (object_urls(SampleRecord, views, "SampleRecord"), "sample")

urlpatterns = [*project_urls, path("sample/", include(sample_patterns))]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
