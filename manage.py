#!/usr/bin/env python
"""Same as the ``shiji`` console script."""

from shiji.cli import main

if __name__ == "__main__":
    main()
