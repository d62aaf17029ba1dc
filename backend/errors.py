"""The domain's small error hierarchy; ``backend.core`` maps it to HTTP in one handler."""

from __future__ import annotations


class TuokeError(Exception):
    status_code = 400
    error = "bad_request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Invalid(TuokeError):
    status_code = 400
    error = "invalid"


class Unauthorized(TuokeError):
    status_code = 401
    error = "unauthorized"


class Forbidden(TuokeError):
    status_code = 403
    error = "forbidden"


class NotFound(TuokeError):
    status_code = 404
    error = "not_found"


class Conflict(TuokeError):
    status_code = 409
    error = "conflict"


class RateLimited(TuokeError):
    status_code = 429
    error = "rate_limited"


class UpstreamError(TuokeError):
    """WeChat (or another upstream) failed; retryable unless ``permanent``."""

    status_code = 502
    error = "upstream"

    def __init__(self, detail: str, *, code: int | None = None, permanent: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.permanent = permanent
