"""Constraints named once and reused across schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import Meta

Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$", description="lower-case letters, digits and -")]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
ShortText = Annotated[str, Meta(max_length=200)]
LongText = Annotated[str, Meta(max_length=2000)]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9]{5,20}$", description="digits only")]
Email = Annotated[str, Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$", max_length=254)]
Money = Annotated[int, Meta(ge=0, le=10**13, description="CNY, integer yuan")]
Timezone = Annotated[str, Meta(min_length=1, max_length=64)]
HHMM = Annotated[str, Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Id = Annotated[int, Meta(ge=1, le=2**62)]
Role = Literal["rep", "manager", "admin"]
Source = Literal["chat", "card", "import", "api"]
StageKey = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ActivityKind = Literal["visit", "call", "note", "meeting", "email", "followup"]
Timestamp = dt.datetime
