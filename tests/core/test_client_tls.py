"""TLS set-up: a plain-HTTP server costs no CA bundle, and nothing about TLS is weakened by that."""

from __future__ import annotations

import ssl

import pytest

from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def bundle_reads(monkeypatch):
    """Count how often a CA bundle or directory is read into a TLS context."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    reads = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self, *args, **kwargs):
        reads.append(args or kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    return reads


def context_of(client: LettaClient) -> ssl.SSLContext:
    context = client.tls_context
    assert context is not None
    return context


async def test_plain_http_reads_no_ca_bundle(bundle_reads):
    client = LettaClient("http://localhost:8283")
    try:
        assert bundle_reads == []
        ctx = context_of(client)
        # Should TLS ever happen on this client, every certificate is refused, never waved through.
        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
        assert ctx.cert_store_stats()["x509_ca"] == 0
    finally:
        await client.aclose()


async def test_https_still_verifies_against_the_ca_bundle(bundle_reads):
    client = LettaClient("https://letta.example.com")
    try:
        assert bundle_reads, "an https server must be checked against the CA bundle"
        ctx = context_of(client)
        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
        assert ctx.cert_store_stats()["x509_ca"] > 0
    finally:
        await client.aclose()


async def test_https_without_verification_stays_as_asked(bundle_reads):
    client = LettaClient("https://letta.example.com", options=ClientOptions(verify_tls=False))
    try:
        assert context_of(client).verify_mode == ssl.CERT_NONE
    finally:
        await client.aclose()


async def test_a_proxy_from_the_environment_gets_the_full_context(bundle_reads, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.example.com:3128")
    client = LettaClient("http://localhost:8283")
    try:
        assert bundle_reads, "an https proxy needs the CA bundle"
    finally:
        await client.aclose()
