"""`FaceCollection`: the Rekognition collection face search searches, holding the reference faces."""

from __future__ import annotations

from aws_cdk import Names, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rekognition as rekognition
from constructs import Construct

# The collection's own operations, each of which takes the collection's ARN as its resource (Service
# Authorization Reference, Amazon Rekognition: `collection*`).
SEARCH_ACTIONS = ("rekognition:StartFaceSearch",)
MANAGE_ACTIONS = ("rekognition:IndexFaces", "rekognition:ListFaces", "rekognition:DeleteFaces")
# CollectionId allows 255 characters of [a-zA-Z0-9_.\-]; a shorter name stays readable in the console.
_ID_LENGTH = 96


class FaceCollection(Construct):
    """Created only when face_search is enabled. The collection holds face feature vectors, not pictures:
    it follows the stack's removal policy like the tables, and can be filled again from the pictures."""

    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        # Unique per stack and construct path, made of characters CollectionId allows, known at synth.
        self.collection_id = Names.unique_resource_name(self, max_length=_ID_LENGTH, separator="-")
        self.collection = rekognition.CfnCollection(self, "Collection", collection_id=self.collection_id)
        self.collection.apply_removal_policy(removal_policy)

    @property
    def arn(self) -> str:
        return self.collection.attr_arn

    def grant_search(self, grantee: iam.IGrantable) -> iam.Grant:
        """StartFaceSearch against this collection (GetFaceSearch has no resource: it is granted with the Get*)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=list(SEARCH_ACTIONS), resource_arns=[self.arn])

    def grant_manage(self, grantee: iam.IGrantable) -> iam.Grant:
        """Index, list and remove reference faces."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=list(MANAGE_ACTIONS), resource_arns=[self.arn])
