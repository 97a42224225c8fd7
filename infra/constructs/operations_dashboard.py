"""The operations dashboard: is the pipeline keeping up, and where does it hurt?

Custom metrics come from Powertools Metrics in the handlers (namespace `RekognitionVideoPipeline`,
dimension `service` = the function's service name, plus `analysis` for per-analysis metrics);
queue and function metrics from SQS and Lambda.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from video_pipeline.contract import FINDINGS, TOTAL, DailyBudget, Metric

from infra.constructs.ingest_queue import IngestQueue

PERIOD = Duration.minutes(5)
WIDTH = 24  # the dashboard grid is 24 units wide
# Emitted, without dimensions, by everything that moves the admission counter (starter, collector,
# reconciler); its maximum over a period is the in-flight count to compare with the quota.
JOBS_IN_FLIGHT = Metric.JOBS_IN_FLIGHT


@dataclass(frozen=True, kw_only=True)
class PipelineMetrics:
    """Builds the pipeline's custom metrics with the dimensions the handlers give them."""

    namespace: str
    starter_service: str
    collector_service: str
    analyses: tuple[str, ...]

    def custom(
        self, name: str, service: str, *, analysis: str | None = None, statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        dimensions = {"service": service} | ({Metric.ANALYSIS_DIMENSION: analysis} if analysis else {})
        return cloudwatch.Metric(
            namespace=self.namespace,
            metric_name=name,
            dimensions_map=dimensions,
            statistic=statistic,
            period=PERIOD,
            label=analysis or name,
        )

    def budget_used(self, limit: str) -> cloudwatch.Metric:
        """Today's video minutes counted against one limit (`total` or an analysis): the starter's gauge."""
        return self.custom(Metric.BUDGET_MINUTES_USED, self.starter_service, analysis=limit, statistic="Maximum")

    def cost_per_upload(self) -> cloudwatch.MathExpression:
        """Rekognition's estimated charge (the registry's list prices) per accepted upload, in USD."""
        metrics: dict[str, cloudwatch.IMetric] = {
            f"cost_{analysis}": self.custom(Metric.ESTIMATED_COST_USD, self.starter_service, analysis=analysis)
            for analysis in self.analyses
        }
        metrics["uploads"] = self.custom(Metric.UPLOADS_ACCEPTED, self.starter_service)
        total = " + ".join(f"FILL({name}, 0)" for name in metrics if name != "uploads")
        return cloudwatch.MathExpression(
            expression=f"({total}) / uploads", using_metrics=metrics, label="USD per upload", period=PERIOD
        )

    def finding(self, name: str, analysis: str) -> cloudwatch.Metric:
        """One of `contract.FINDINGS`, or DetectionsStored: what `analysis`' jobs stored, per period."""
        return self.custom(name, self.collector_service, analysis=analysis).with_(label=name)

    def jobs_in_flight(self) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=self.namespace, metric_name=JOBS_IN_FLIGHT, statistic="Maximum", period=PERIOD, label="in flight"
        )

    def failed_jobs(self, analysis: str) -> cloudwatch.MathExpression:
        """Refused at start (starter) plus FAILED/ERROR at completion (collector)."""
        return self._failed(f"{analysis} failed", (analysis,))

    def _failed(self, label: str, analyses: Sequence[str]) -> cloudwatch.MathExpression:
        # Metric ids must be unique within a graph, so they name the analysis.
        metrics: dict[str, cloudwatch.IMetric] = {}
        for analysis in analyses:
            metrics[f"start_{analysis}"] = self.custom(Metric.JOBS_FAILED, self.starter_service, analysis=analysis)
            metrics[f"end_{analysis}"] = self.custom(Metric.JOBS_FAILED, self.collector_service, analysis=analysis)
        return cloudwatch.MathExpression(
            expression=" + ".join(f"FILL({name}, 0)" for name in metrics),
            using_metrics=metrics,
            label=label,
            period=PERIOD,
        )


class OperationsDashboard(Construct):
    """A CloudWatch dashboard: uploads, jobs per analysis, in-flight vs quota, latency, a row per analysis
    (detections stored and what they found, failed jobs, latency), budget, queues, functions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metrics: PipelineMetrics,
        job_quota: int,
        daily_budget: DailyBudget,
        queues: Sequence[tuple[str, IngestQueue]],
        functions: Sequence[tuple[str, lambda_.IFunction]],
        alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        starter, collector = metrics.starter_service, metrics.collector_service
        per_analysis = metrics.analyses

        def graph(title: str, left: Sequence[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(left), width=WIDTH // 3, height=6)

        uploads = [
            metrics.custom(name, starter).with_(label=label)
            for name, label in (
                (Metric.UPLOADS_RECEIVED, "received"),
                (Metric.UPLOADS_ACCEPTED, "accepted"),
                (Metric.UPLOADS_REJECTED, "rejected"),
                (Metric.UPLOADS_IGNORED, "ignored (not a video)"),
            )
        ]
        in_flight = cloudwatch.GraphWidget(
            title="Jobs in flight against the quota",
            left=[metrics.jobs_in_flight()],
            left_annotations=[cloudwatch.HorizontalAnnotation(value=job_quota, label=f"quota {job_quota}")],
            left_y_axis=cloudwatch.YAxisProps(min=0, max=job_quota + max(2, job_quota // 5)),
            width=WIDTH // 3,
            height=6,
        )
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown="## Rekognition Video pipeline\nUploads -> jobs -> results. Alarms below; "
                "the results dashboard shows individual videos.",
                width=WIDTH,
                height=2,
            )
        )
        self.dashboard.add_widgets(
            graph("Uploads received", uploads),
            in_flight,
            graph(
                "Upload to results, p90 (ms)",
                [
                    metrics.custom(Metric.UPLOAD_TO_RESULTS_LATENCY, collector, analysis=a, statistic="p90")
                    for a in per_analysis
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph("Jobs started", [metrics.custom(Metric.JOBS_STARTED, starter, analysis=a) for a in per_analysis]),
            graph(
                "Jobs succeeded", [metrics.custom(Metric.JOBS_SUCCEEDED, collector, analysis=a) for a in per_analysis]
            ),
            graph("Jobs failed", [metrics.failed_jobs(a) for a in per_analysis]),
        )
        for analysis in per_analysis:
            self.dashboard.add_widgets(*_analysis_row(metrics, analysis))
        self.dashboard.add_widgets(*_budget_widgets(metrics, daily_budget))
        self.dashboard.add_widgets(
            graph(
                "Oldest message age (s)",
                [q.queue.metric_approximate_age_of_oldest_message(period=PERIOD, label=t) for t, q in queues],
            ),
            graph(
                "Dead-letter queue depth",
                [
                    q.dead_letter_queue.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic="Maximum", label=f"{t} DLQ"
                    )
                    for t, q in queues
                ],
            ),
            graph(
                "Queue depth",
                [
                    q.queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=t)
                    for t, q in queues
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph("Lambda errors", [f.metric_errors(period=PERIOD, label=t) for t, f in functions]),
            graph("Lambda throttles", [f.metric_throttles(period=PERIOD, label=t) for t, f in functions]),
            graph(
                "Lambda duration, p90 (ms)",
                [f.metric_duration(period=PERIOD, statistic="p90", label=t) for t, f in functions],
            ),
        )
        if alarms:
            self.dashboard.add_widgets(
                cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=WIDTH, height=4)
            )


def _analysis_row(metrics: PipelineMetrics, analysis: str) -> list[cloudwatch.IWidget]:
    """One analysis at a glance: what its jobs stored and found, its failures, and how long results take."""
    stored = cloudwatch.GraphWidget(
        title=f"{analysis}: detections stored",
        left=[metrics.finding(Metric.DETECTIONS_STORED, analysis)],
        # Findings (moderation flags, shots) are far fewer than detections: their own axis keeps them visible.
        right=[metrics.finding(name, analysis) for name in FINDINGS.get(analysis, ())],
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=WIDTH // 3,
        height=6,
    )
    failed = cloudwatch.GraphWidget(
        title=f"{analysis}: jobs failed",
        left=[metrics.failed_jobs(analysis)],
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=WIDTH // 3,
        height=6,
    )
    latency = cloudwatch.GraphWidget(
        title=f"{analysis}: upload to results (ms)",
        left=[
            metrics.custom(
                Metric.UPLOAD_TO_RESULTS_LATENCY, metrics.collector_service, analysis=analysis, statistic=s
            ).with_(label=s)
            for s in ("p50", "p90", "Maximum")
        ],
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=WIDTH // 3,
        height=6,
    )
    return [stored, failed, latency]


def _budget_widgets(metrics: PipelineMetrics, budget: DailyBudget) -> list[cloudwatch.IWidget]:
    """Today's video minutes against the daily budget, and what an upload costs in Rekognition charges."""
    shown = (TOTAL, *metrics.analyses)
    annotations = [
        cloudwatch.HorizontalAnnotation(value=limit * share, label=f"{name} {share:.0%} of {limit:g} min")
        for name, limit in sorted(budget.limits.items())
        for share in (0.8, 1.0)
    ]
    today = cloudwatch.GraphWidget(
        title="Video minutes today against the daily budget",
        left=[metrics.budget_used(name) for name in shown],
        left_annotations=annotations,
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=WIDTH // 2,
        height=6,
    )
    cost = cloudwatch.GraphWidget(
        title="Estimated Rekognition cost per upload (USD)",
        left=[metrics.cost_per_upload()],
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=WIDTH // 2,
        height=6,
    )
    return [today, cost]
