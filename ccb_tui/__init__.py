"""ccb-tui: a terminal dashboard for the veterans' association (Hội Cựu chiến binh) of competition cluster No. 3."""

__version__ = "0.1.0"
