"""Real, offline video analysis for the emulator: decoding with PyAV, detection with OpenCV's bundled models.

Imported only when real analyzers are asked for, so the in-process fake keeps working without
OpenCV or FFmpeg installed.
"""
