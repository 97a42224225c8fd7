"""The user tools: `make local` (the run and its report), `make dashboard`, `make openapi`, snapshots.

They run the pipeline through `in_process` (moto for AWS, the project's Rekognition emulator for
Rekognition); nothing here is test infrastructure.
"""
