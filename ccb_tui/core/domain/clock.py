"""Stored times (ISO 8601, UTC) shown in the cluster's time zone, and local days as time ranges.

The store keeps every time in UTC (``files.now_iso``); people read them in the cluster's own time
zone (the ``timezone`` setting, Asia/Ho_Chi_Minh by default) as ``dd/mm/yyyy HH:MM``. A day typed
on the command line (``--since 1/4/2026``) starts at 00:00 in that zone. ``tzdata`` is a
dependency, so this works on machines without system time-zone data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from functools import lru_cache

from .models import DEFAULT_TIMEZONE

DATE_TIME = "%d/%m/%Y %H:%M"
SHORT = "%d/%m/%y %H:%M"
DAY = "%d/%m/%Y"


@lru_cache(maxsize=16)
def zone(name: str | None = None) -> tzinfo:
    """The time zone called ``name`` (None: the default); UTC when this machine does not know it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    for candidate in (name or DEFAULT_TIMEZONE, DEFAULT_TIMEZONE):
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return timezone.utc


def parse(value: str | datetime | None) -> datetime | None:
    """A stored time as an aware datetime (a naive one is taken as UTC); None when unreadable."""
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip())
        except (TypeError, ValueError):
            return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def to_local(value: str | datetime | None, tz: str | None = None) -> datetime | None:
    """A stored time in the zone ``tz``; None when unreadable."""
    when = parse(value)
    if when is None:
        return None
    try:
        return when.astimezone(zone(tz))
    except (OverflowError, ValueError):
        return when


def local_time(value: str | datetime | None, tz: str | None = None, fmt: str = DATE_TIME) -> str:
    """"01/04/2026 01:30" for 2026-03-31T18:30:00+00:00 in Hanoi; an unreadable value as given."""
    when = to_local(value, tz)
    if when is None:
        return "" if value is None else str(value)
    return when.strftime(fmt)


def local_date(value: str | datetime | None, tz: str | None = None) -> date | None:
    """The local calendar day of a stored time; None when unreadable."""
    when = to_local(value, tz)
    return None if when is None else when.date()


def local_iso(value: str | datetime | None, tz: str | None = None) -> str:
    """ISO 8601 with the local offset ("2026-04-01T01:30:00+07:00"); an unreadable value as given."""
    when = to_local(value, tz)
    if when is None:
        return "" if value is None else str(value)
    return when.isoformat()


def day_start(day: date, tz: str | None = None) -> datetime:
    """00:00 of ``day`` in the zone ``tz``, as an aware datetime."""
    if isinstance(day, datetime):
        return day if day.tzinfo is not None else day.replace(tzinfo=zone(tz))
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz))


def show_day(iso: str | None) -> str:
    """A stored day as people write it: "15/01/2020"; "—" for none (an unreadable one as stored)."""
    if not iso:
        return "—"
    try:
        return date.fromisoformat(iso).strftime(DAY)
    except ValueError:
        return iso
