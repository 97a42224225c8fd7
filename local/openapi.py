"""`make openapi`: write the read API's OpenAPI document, generated from the handler's routes.

python -m local.openapi            # rewrites docs/openapi.json
python -m local.openapi --check    # exit 1 if docs/openapi.json is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from video_pipeline.handlers.read_api import openapi_document

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def rendered() -> str:
    return openapi_document() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.openapi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed document")
    options = parser.parse_args(argv)
    if options.check:
        if not DOCUMENT.is_file() or DOCUMENT.read_text() != rendered():
            print(f"{DOCUMENT} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
