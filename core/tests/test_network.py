"""core.network.client_ip: X-Real-IP only from a proxy named in TRUSTED_PROXIES, never from loopback as such;
the login lockout (django-axes) and the audit log take the address from there."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.testing import create_user
from core import network
from core.models import AuditEvent
from org.testing import build_county


def address(remote, real_ip=None):
    headers = {"HTTP_X_REAL_IP": real_ip} if real_ip is not None else {}
    return network.client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_nothing_is_trusted_by_default():
    assert address("127.0.0.1", "10.1.2.3") == "127.0.0.1"
    assert address("::1", "10.1.2.3") == "::1"
    assert address("", "10.1.2.3") is None
    assert address("203.0.113.9", "10.1.2.3") == "203.0.113.9"
    assert network.client_ip(None) is None


@override_settings(TRUSTED_PROXIES=["10.0.0.5", "10.8.0.0/16", "unix"])
def test_listed_proxies_and_networks_are_believed():
    assert address("10.0.0.5", "192.168.3.4") == "192.168.3.4"
    assert address("10.8.200.1", "192.168.3.4") == "192.168.3.4"
    assert address("::ffff:10.0.0.5", "192.168.3.4") == "192.168.3.4"
    assert address("", "192.168.3.4") == "192.168.3.4"  # the unix socket
    assert address("10.0.0.6", "192.168.3.4") == "10.0.0.6"  # not listed
    assert address("127.0.0.1", "192.168.3.4") == "127.0.0.1"  # loopback is still nobody in particular
    assert address("10.0.0.5") == "10.0.0.5"  # a listed proxy that sent no header


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_loopback_is_trusted_only_when_listed():
    assert address("127.0.0.1", "192.168.3.4") == "192.168.3.4"


def test_a_bad_entry_is_named():
    with pytest.raises(ImproperlyConfigured, match="“10.0.0.300”"):
        network.parse_trusted_proxies(("unix", "10.0.0.300"))


@pytest.mark.django_db
@pytest.mark.parametrize("trusted, expected", [([], "127.0.0.1"), (["127.0.0.1"], "198.51.100.7")])
def test_login_lockout_and_audit_record_the_same_address(client, settings, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    org = build_county()
    create_user("zhangsan", org.town1, "town_officer")
    client.post(reverse("login"), {"username": "zhangsan", "password": "wrong"}, HTTP_X_REAL_IP="198.51.100.7")
    assert AccessAttempt.objects.get(username="zhangsan").ip_address == expected
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == expected
