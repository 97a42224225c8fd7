"""The deployed pipeline reproduced in one process, for the user tools and the tests alike.

moto's resources created as the stack creates them (`environment`), each function's handler built by
the composition root from explicit settings and clients (`functions`), Lambda's SQS event source
mapping and context (`lambda_runtime`), the whole pipeline driven upload by upload (`harness`), and
moto's server beside the Rekognition emulator's endpoint (`cloud`). It imports only the pipeline
(`video_pipeline`) and the emulator: `local/` (the user tools) and `simulation/` build on it.
"""
