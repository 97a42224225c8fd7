from tests.integration.conftest import harness, sleeps  # noqa: F401  (the same fixtures)
