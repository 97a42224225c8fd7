"""Who may read the results: a Cognito user pool whose users an administrator creates."""

from __future__ import annotations

from typing import cast

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.nag import acknowledge

# The group whose members may change the library through the read API (backfills, re-analyses,
# reference faces); every other user only reads. An administrator adds users to it.
OPERATORS_GROUP = "operators"
# Hosted UI domain prefixes are unique per region; stack name plus account keeps copies apart.
_DOMAIN_PREFIX_LENGTH = 40


class DashboardUsers(Construct):
    """No self sign-up; sign-in by e-mail with MFA (TOTP) through the Cognito hosted UI, code flow with PKCE."""

    def __init__(self, scope: Construct, construct_id: str, *, site_url: str, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Pool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            removal_policy=removal_policy,
        )
        acknowledge(
            cast(cognito.CfnUserPool, self.user_pool.node.default_child),
            "AwsSolutions-COG8",
            "Threat protection needs the Plus feature plan; the pool has no self sign-up, MFA is required "
            "and only administrators create users.",
        )
        self.operators = cognito.CfnUserPoolGroup(
            self,
            "Operators",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=OPERATORS_GROUP,
            description="May start backfills and re-analyses and manage reference faces (they cost or remove)",
        )
        prefix = Stack.of(self).stack_name.lower()[:_DOMAIN_PREFIX_LENGTH]
        self.domain = self.user_pool.add_domain(
            "HostedUi", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=f"{prefix}-{Aws.ACCOUNT_ID}")
        )
        self.client = self.user_pool.add_client(
            "Dashboard",
            generate_secret=False,  # a browser app cannot keep a secret: PKCE instead
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=[f"{site_url}/"],
                logout_urls=[f"{site_url}/"],
            ),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(1),
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"

    @property
    def hosted_ui(self) -> str:
        return self.domain.base_url()
