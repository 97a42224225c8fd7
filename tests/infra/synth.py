"""Synthesizing the app for tests exactly as `cdk synth` does: same context, same checks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.config import PipelineConfig, config_from_context
from infra.stack import RekognitionVideoPipelineStack

ROOT = Path(__file__).resolve().parents[2]


def cdk_context() -> dict[str, Any]:
    """The context of cdk.json (feature flags and defaults), as the CLI would pass it."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class Synthesized:
    stack: RekognitionVideoPipelineStack
    template: Template
    outdir: Path

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template.to_json()["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: body for name, body in self.resources.items() if body["Type"] == resource_type}

    def logical_id(self, construct: Any) -> str:
        return str(self.stack.resolve(self.stack.get_logical_id(construct.node.default_child)))

    def validation_report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((self.outdir / "validation-report.json").read_text())
        return report


def synthesize(outdir: Path, *, config: PipelineConfig | None = None, nag: bool = False) -> Synthesized:
    """Build and synthesize the app into `outdir`; with `nag`, cdk-nag runs and must pass."""
    app = App(context=cdk_context(), outdir=str(outdir))
    app_config = config_from_context(app.node)
    stack = RekognitionVideoPipelineStack(app, app_config.stack_name, config=config or app_config.pipeline)
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    assembly = app.synth()
    template = Template.from_json(assembly.get_stack_by_name(stack.stack_name).template)
    return Synthesized(stack=stack, template=template, outdir=outdir)


def statements(policies: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in policies.values():
        yield from policy["Properties"]["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
