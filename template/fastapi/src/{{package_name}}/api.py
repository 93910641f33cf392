"""The public API's version prefix; each domain router mounts itself under it."""

V1 = "/api/v1"
