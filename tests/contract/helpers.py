"""Plain-httpx helpers for the contract suite: a per-test session that remembers what it created."""

from __future__ import annotations

import ast
import functools
import re
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

ID = re.compile(r"^identity-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ORG_ID = "org-00000000-0000-4000-8000-000000000000"
IDENTITY_KEYS = ["id", "identifier_key", "name", "identity_type", "project_id", "agent_ids", "block_ids",
                 "organization_id", "properties"]
UNKNOWN_ID = "identity-00000000-0000-4000-8000-000000000000"
UNKNOWN_AGENT = "agent-00000000-0000-4000-8000-000000000000"
UNKNOWN_BLOCK = "block-00000000-0000-4000-8000-000000000000"
PATTERN = "^identity-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

# Enough for POST /v1/agents/ on a server with no LLM provider: creating an agent never calls the model.
AGENT_BODY = {
    "llm_config": {"model": "gpt-4o-mini", "model_endpoint_type": "openai",
                   "model_endpoint": "https://api.openai.com/v1", "context_window": 128000},
    "embedding_config": {"embedding_endpoint_type": "openai", "embedding_endpoint": "https://api.openai.com/v1",
                         "embedding_model": "text-embedding-3-small", "embedding_dim": 1536},
    "include_base_tools": False,
    "memory_blocks": [],
}


@dataclass
class Backend:
    name: str
    base_url: str
    token: str | None


def unique(prefix: str = "ct") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def errors_of(response: httpx.Response) -> list[dict]:
    """A 422 detail is a Python repr, not JSON: parse it as a client has to."""
    body = response.json()
    assert isinstance(body["detail"], str)
    return ast.literal_eval(body["detail"])


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # loading the CA bundle costs ~20 ms; do it once, not per client


def client(backend: Backend, token: str | None = None, **headers: str) -> httpx.Client:
    """A plain client that does not follow redirects, so 307s can be asserted."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=backend.base_url, headers=headers, timeout=30, follow_redirects=False,
                        verify=_tls())


@dataclass
class Api:
    """Authenticated requests plus bookkeeping of created identities, blocks and agents for cleanup."""

    backend: Backend
    identities: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = client(self.backend, self.backend.token)

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *_: Any) -> None:
        for kind, ids in (("identities", self.identities), ("blocks", self.blocks), ("agents", self.agents)):
            for object_id in ids:
                self.http.delete(f"/v1/{kind}/{object_id}")
        self.http.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, url, **kwargs)
        if response.status_code == 500:
            # The server drops the keep-alive connection after an unhandled error; start a fresh pool.
            self.http.close()
            self.http = client(self.backend, self.backend.token)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        response = self.request("POST", url, **kwargs)
        self._remember(url, response)
        return response

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def _remember(self, url: str, response: httpx.Response) -> None:
        if response.status_code == 200 and isinstance(response.json(), dict) and "id" in response.json():
            bucket = {"/v1/identities/": self.identities, "/v1/blocks/": self.blocks, "/v1/agents/": self.agents}
            if url in bucket:
                bucket[url].append(response.json()["id"])

    # shortcuts

    def create(self, **fields: Any) -> dict:
        """POST an identity with a unique key unless one is given; fails the test unless the server says 200."""
        body = {"identifier_key": unique(), "name": "Contract Test", "identity_type": "user", **fields}
        response = self.post("/v1/identities/", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def retrieve(self, identity_id: str) -> dict:
        response = self.get(f"/v1/identities/{identity_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def listing(self, **params: Any) -> list[dict]:
        response = self.get("/v1/identities/", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def count(self) -> int:
        response = self.get("/v1/identities/count")
        assert response.status_code == 200, response.text
        return response.json()

    def make_block(self) -> dict:
        response = self.post("/v1/blocks/", json={"label": unique("label"), "value": "contract test block"})
        assert response.status_code == 200, response.text
        return response.json()

    def make_agent(self) -> dict:
        response = self.post("/v1/agents/", json={"name": unique("agent"), **AGENT_BODY})
        assert response.status_code == 200, response.text
        return response.json()
