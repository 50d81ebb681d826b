"""Real-browser journeys: headless Chromium driven by Playwright against the live server."""
