"""What every domain's API shares: the version prefix each router mounts itself under, and the
text type of every string a request stores."""

from typing import Annotated

from pydantic import StringConstraints

V1 = "/api/v1"

# PostgreSQL cannot store U+0000 in text: a string holding it is refused at validation (422),
# and the OpenAPI document says so, instead of failing at the database (500).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
"""A string a request stores; add length limits with `Annotated[Text, Field(...)]`."""
