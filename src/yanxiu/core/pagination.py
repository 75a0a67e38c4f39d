"""The one pagination every list endpoint uses."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    """Limit/offset pages with bounds, so a huge number is a 422, not a database overflow."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000)
