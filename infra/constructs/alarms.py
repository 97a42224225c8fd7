"""CloudWatch alarms for the conditions that need a human, sent to one SNS topic."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

_PERIOD = Duration.minutes(5)


class PipelineAlarms(Construct):
    """An alarm topic (with an optional e-mail subscription) and the alarms that notify it.

    Partial batch failures are retried by SQS and are not Lambda errors, so the signals worth a
    page are messages reaching a dead-letter queue and invocations failing as a whole.
    """

    def __init__(self, scope: Construct, construct_id: str, *, email: str | None) -> None:
        super().__init__(scope, construct_id)
        # Unencrypted on purpose: CloudWatch cannot publish to a topic encrypted with the AWS
        # managed SNS key, and alarm names and states do not warrant a customer managed key.
        self.topic = sns.Topic(self, "Topic", display_name="Rekognition video pipeline alarms", enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self._action = cloudwatch_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

    def on_dead_letters(self, construct_id: str, queue: sqs.IQueue, *, what: str) -> cloudwatch.Alarm:
        """Alarm as soon as `queue` (a dead-letter queue) holds a message."""
        return self._alarm(
            construct_id,
            queue.metric_approximate_number_of_messages_visible(period=_PERIOD, statistic="Maximum"),
            f"{what} reached the dead-letter queue {queue.queue_name}: inspect, fix and redrive.",
        )

    def on_errors(self, construct_id: str, function: lambda_.IFunction, *, what: str) -> cloudwatch.Alarm:
        """Alarm when an invocation of `function` fails as a whole (crash, timeout, bad deployment)."""
        return self._alarm(
            construct_id,
            function.metric_errors(period=_PERIOD, statistic="Sum"),
            f"The {what} function failed whole invocations; its batches are being retried.",
        )

    def on_oldest_message(
        self, construct_id: str, queue: sqs.IQueue, *, max_age: Duration, what: str
    ) -> cloudwatch.Alarm:
        """Alarm when the oldest message of `queue` has waited longer than `max_age` (a stalled consumer)."""
        return self._alarm(
            construct_id,
            queue.metric_approximate_age_of_oldest_message(period=_PERIOD, statistic="Maximum"),
            f"{what} has waited more than {max_age.to_human_string()} in {queue.queue_name}: is its consumer failing?",
            threshold=max_age.to_seconds(),
        )

    def on_failed_jobs(self, construct_id: str, failed_jobs: cloudwatch.IMetric, *, analysis: str) -> cloudwatch.Alarm:
        """Alarm when a Rekognition job of `analysis` fails (refused at start, or FAILED/ERROR when it ends).

        One alarm per analysis, and no alarm over all of them: a failure belongs to exactly one analysis,
        so the per-analysis alarms together fire exactly when an all-analyses one would, and each says
        which analysis to look at. An all-analyses alarm would page twice for every failure, and its
        metric math (two metrics per analysis) passes CloudWatch's hard limit of 10 metrics per alarm
        once more than five analyses are enabled.
        """
        return self._alarm(
            construct_id,
            failed_jobs,
            f"Rekognition {analysis} jobs failed; the dashboard and the jobs table say which videos and why.",
        )

    def on_flagged_content(self, construct_id: str, flags: cloudwatch.IMetric, *, threshold: int) -> cloudwatch.Alarm:
        """Alarm when content moderation stores at least `threshold` flags within one period (opt-in)."""
        return self._alarm(
            construct_id,
            flags,
            f"Content moderation flagged content: at least {threshold} moderation labels stored within "
            f"{_PERIOD.to_minutes()} minutes. Review the moderation flags of the latest videos in the results "
            "dashboard.",
            threshold=threshold,
        )

    def on_saturation(
        self, construct_id: str, in_flight: cloudwatch.IMetric, *, quota: int, periods: int
    ) -> cloudwatch.Alarm:
        """Alarm when jobs in flight sit at the quota for `periods` five-minute periods in a row."""
        return self._alarm(
            construct_id,
            in_flight,
            f"Rekognition jobs in flight have been at the quota ({quota}) for {periods * 5} minutes: uploads are "
            "queueing. Ask for a higher concurrent-job quota, or check for jobs that never complete.",
            threshold=quota,
            evaluation_periods=periods,
        )

    def on_budget(
        self, construct_id: str, used_today: cloudwatch.IMetric, *, limit: float, share: float
    ) -> cloudwatch.Alarm:
        """Alarm when today's video minutes reach `share` of a daily limit (the gauge starts over at midnight UTC)."""
        if share >= 1:
            consequence = "new jobs now wait for the next UTC day or a raised budget (context dailyBudgetMinutes)."
        else:
            consequence = "at the limit, new jobs wait for the next UTC day."
        return self._alarm(
            construct_id,
            used_today,
            f"Today's Rekognition video minutes reached {share:.0%} of the daily budget ({limit:g} minutes): "
            + consequence,
            threshold=limit * share,
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        threshold: float = 1,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No data means nothing is happening: no messages, no jobs, no failures.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm
