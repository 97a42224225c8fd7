#!/usr/bin/env python3
"""CDK app: one pipeline stack, configured from CDK context, checked by cdk-nag on every synth."""

from __future__ import annotations

import sys

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import ConfigError, config_from_context
from infra.stack import RekognitionVideoPipelineStack


def main() -> None:
    app = App()
    try:
        config = config_from_context(app.node)
    except ConfigError as error:
        sys.exit(f"invalid configuration: {error}")  # a message, not a traceback
    stack = RekognitionVideoPipelineStack(app, config.stack_name, config=config.pipeline)
    Tags.of(stack).add("project", "rekognition-video-pipeline")
    # Any unacknowledged AwsSolutions finding fails the synth, and so every deploy and CI run.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()


if __name__ == "__main__":
    main()
