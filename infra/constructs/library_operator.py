"""The role an operator assumes to run the backfill and the re-analysis (docs/operations.md)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct


class LibraryOperatorRole(Construct):
    """Assumable by the account's administrators (whoever their own IAM policies allow `sts:AssumeRole`).

    The uploads queue accepts messages only from the input bucket and the pipeline's roles, so that no
    one else in the account can forge uploads; this role is the one way in for the operator's tools.
    The composer grants it exactly what they do: list and read the input bucket, look videos up in the
    jobs table, send to the uploads queue.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.AccountRootPrincipal(),
            description="Runs the Rekognition video pipeline's backfill and re-analysis",
        )
