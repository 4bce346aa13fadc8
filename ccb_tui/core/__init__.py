"""The headless domain core: no textual, rich or plotext imports below this package."""
