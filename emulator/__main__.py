"""`python -m emulator --help`: the stand-alone server (see emulator.server)."""

from emulator.server import main

raise SystemExit(main())
