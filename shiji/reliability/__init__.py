"""Reliability harnesses: the crash harness kills real server and worker processes at named
points and proves the books recover (``crash.py``; docs/reliability.md)."""
