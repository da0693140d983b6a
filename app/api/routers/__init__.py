"""One router per resource: metrics (the catalogue), dimensions, query, ask, health and
alerts. Each route is thin: parse, then `Context.answer` with a function of service.py."""

from app.api.encoders import FORMATS
from app.api.problems import responses

# The 200 response of a tabular route, in every format it speaks.
TABULAR_200: dict[int | str, dict] = {
    200: {
        "description": "The answer (JSON, or the format asked for)",
        "content": {f.media_type.split(";")[0]: {} for f in FORMATS.values() if f.tabular},
    }
}


def documented(*codes: int, tabular: bool = True) -> dict[int | str, dict]:
    out = dict(TABULAR_200) if tabular else {}
    out.update(responses(*codes))
    return out
