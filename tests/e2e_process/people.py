"""The identity the real-terminal tests open."""

ALICE = {
    "id": "identity-00000000-0000-4000-8000-00000000a11c",
    "identifier_key": "alice@example.com",
    "name": "Alice Example",
    "identity_type": "user",
    "project_id": None,
    "properties": [
        {"key": "email", "value": "alice@example.com", "type": "string"},
        {"key": "age", "value": 42, "type": "number"},
    ],
}
