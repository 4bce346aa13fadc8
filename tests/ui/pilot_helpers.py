"""Helpers for Pilot tests that wait on the app's writer thread."""

from __future__ import annotations


async def saves_done(pilot) -> None:  # noqa: ANN001
    """Wait until the app's queued saves have ended (``Pilot.pause`` stops waiting for a save
    once it waits on another session's lock, and a key press does not wait for the writer
    thread at all), and their results are shown."""
    while pilot.app._writes:
        await pilot.pause(0.05)
    await pilot.pause()
