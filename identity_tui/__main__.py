"""Run identity-tui with ``python -m identity_tui``."""

from identity_tui.cli import main

raise SystemExit(main())
