"""What every domain's API shares: the version prefix each router mounts itself under, and the
text type of every string a request stores."""

from typing import Annotated, Any

from pydantic import Field, StringConstraints
from starlette.types import Scope

V1 = "/api/v1"

# PostgreSQL cannot store U+0000 in text: a string holding it is refused at validation (422),
# and the OpenAPI document says so, instead of failing at the database (500).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
"""A string a request stores; add length limits with `Annotated[Text, Field(...)]`."""


def omittable() -> Any:
    """The default of a field an update may leave out but not set to null (declare it `T | None`
    and refuse None in a validator): the document shows it as a `T` that is not required."""
    return Field(default=None, json_schema_extra=_omitted_not_null)


def _omitted_not_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


def route_template(scope: Scope) -> str | None:
    """The path template of the route that served a request (`/api/v1/projects/{project_id}`,
    never the raw path), or None when no route matched.

    FastAPI records its own routes in `scope["route"]`; the ones it adds for its documentation
    (`/openapi.json`, `/docs`, `/docs/oauth2-redirect`, `/redoc`) leave only their endpoint.
    """
    route = scope.get("route")
    if route is None and "endpoint" in scope and "app" in scope:
        endpoint = scope["endpoint"]
        routes = getattr(scope["app"], "routes", ())
        route = next((r for r in routes if getattr(r, "endpoint", None) is endpoint), None)
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None
