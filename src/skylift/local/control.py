"""The control plane: moto's server app mounted in-process, and its backends.

moto stores what the AWS APIs are told (functions, APIs, rules, queues) and
never runs any of it; the data plane reads that configuration straight from
moto's in-memory backends. The few places where moto would act on its own
(running a function in Docker when it is invoked, invoking SQS consumers inline
on SendMessage) are re-pointed at skylift's executor while the cloud runs.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.apigateway.models import APIGatewayBackend
    from moto.apigatewayv2.models import ApiGatewayV2Backend
    from moto.awslambda.models import LambdaBackend, LambdaFunction
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.events.models import EventsBackend
    from moto.logs.models import LogsBackend
    from moto.sqs.models import SQSBackend

# moto reads these when a backend is first built; the local cloud wants AWS's
# managed policies (deploy attaches AWSLambdaBasicExecutionRole) and no Docker.
MOTO_ENVIRONMENT = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "MOTO_LAMBDA_STUB_ECR": "true",
}

# (function name or ARN, qualifier, payload, request headers, response headers) -> payload
InvokeHook = Callable[[str, "str | None", Any, Any, Any], "str | bytes | None"]
# (rule, Lambda target, event) for an event a rule matched
RuleTargetHook = Callable[[Any, dict[str, Any], dict[str, Any]], None]
# (function ARN, topic ARN) -> whether SNS may deliver to that function
SnsDeliveryHook = Callable[[str, str], bool]
# The target kinds moto's events backend delivers itself (logs, archives, SQS, buses).
_MOTO_TARGETS = (":logs:", ":sqs:", ":events:")


WARM_BACKENDS = (
    "iam",
    "s3",
    "lambda",
    "apigateway",
    "apigatewayv2",
    "logs",
    "events",
    "sts",
    "sqs",
    "cloudwatch",
)
WARM_APPS = ("iam", "s3", "lambda", "apigateway", "logs", "events", "sts", "sqs", "monitoring")


def _warm_environ(service: str, region: str) -> dict[str, str]:
    scope = f"AWS4-HMAC-SHA256 Credential=x/20300101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x"
    return {"PATH_INFO": "/", "HTTP_AUTHORIZATION": scope, "HTTP_HOST": "127.0.0.1"}


def default_account() -> str:
    from moto.core.models import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID


class ControlPlane:
    """moto's WSGI app plus typed access to the backends the data plane reads."""

    def __init__(self) -> None:
        for key, value in MOTO_ENVIRONMENT.items():
            os.environ.setdefault(key, value)
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.app: Callable[..., Iterable[bytes]] = DomainDispatcherApplication(create_backend_app)
        self.account_id = default_account()
        # moto's models are not thread-safe; the data plane's writes go through this lock.
        self.lock = threading.RLock()
        self._restore: list[Callable[[], None]] = []

    # --- backends -----------------------------------------------------------------

    def lambda_backend(self, region: str, account_id: str | None = None) -> LambdaBackend:
        from moto.awslambda.models import lambda_backends

        return lambda_backends[account_id or self.account_id][region]

    def apigateway(self, region: str) -> APIGatewayBackend:
        from moto.apigateway.models import apigateway_backends

        return apigateway_backends[self.account_id][region]

    def apigatewayv2(self, region: str) -> ApiGatewayV2Backend:
        from moto.apigatewayv2.models import apigatewayv2_backends

        return apigatewayv2_backends[self.account_id][region]

    def logs(self, region: str) -> LogsBackend:
        from moto.logs.models import logs_backends

        return logs_backends[self.account_id][region]

    def events(self, region: str) -> EventsBackend:
        from moto.events.models import events_backends

        return events_backends[self.account_id][region]

    def sqs(self, region: str) -> SQSBackend:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self.account_id][region]

    def cloudwatch(self, region: str, account_id: str | None = None) -> CloudWatchBackend:
        from moto.cloudwatch.models import cloudwatch_backends

        return cloudwatch_backends[account_id or self.account_id][region]

    def regions_in_use(self, service: str) -> list[str]:
        """Regions where a backend of ``service`` has been created (i.e. something was called)."""
        from moto.backends import get_backend

        backend_dict: Any = get_backend(service)  # type: ignore[call-overload]
        try:
            regions = backend_dict[self.account_id]
        except KeyError:
            return []
        return [region for region in list(regions.keys()) if region not in ("global", "aws")]

    def functions(self) -> list[LambdaFunction]:
        """$LATEST of every function in every region."""
        found: list[LambdaFunction] = []
        for region in self.regions_in_use("lambda"):
            found.extend(self.lambda_backend(region).list_functions())
        return found

    def warm(self, region: str = "us-east-1") -> None:
        """Build the backends and apps a deploy uses now, not on the first deploy's calls."""
        from moto.backends import get_backend

        for service in WARM_BACKENDS:
            backend: Any = get_backend(service)  # type: ignore[call-overload]
            regions = backend[self.account_id]
            for key in (region, "aws", "global"):
                try:
                    regions[key]
                    break
                except KeyError:
                    continue
        for signing_name in WARM_APPS:
            self.app.get_application(_warm_environ(signing_name, region))  # type: ignore[attr-defined]

    # --- patches --------------------------------------------------------------------

    def install_patches(
        self,
        invoke: InvokeHook,
        api_endpoint: Callable[[str, str], str],
        rule_target: RuleTargetHook,
        sns_may_deliver: SnsDeliveryHook | None = None,
    ) -> None:
        """Re-point moto's own invocations at skylift; undone by ``remove_patches``."""
        self._patch_lambda(invoke)
        self._patch_api_endpoints(api_endpoint)
        self._patch_rules(rule_target)
        if sns_may_deliver is not None:
            self._patch_sns(sns_may_deliver)
        self._patch_metrics()

    def _patch_lambda(self, invoke: InvokeHook) -> None:
        from moto.awslambda.models import LambdaFunction
        from moto.sqs.models import Queue

        def patched_invoke(
            fn: Any, body: Any, request_headers: Any, response_headers: Any
        ) -> str | bytes | None:
            qualifier = None if str(fn.version) == "$LATEST" else str(fn.version)
            name = f"arn:aws:lambda:{fn.region}:{fn.account_id}:function:{fn.function_name}"
            return invoke(name, qualifier, body, request_headers, response_headers)

        # Every path by which moto runs a function (Invoke, SNS, log subscriptions, …) ends here.
        self._patch(LambdaFunction, "invoke", patched_invoke)

        # SQS event source mappings are polled by skylift (batches, windows, partial
        # failures); moto's inline delivery on SendMessage would deliver each message twice.
        self._patch(
            Queue, "lambda_event_source_mappings", property(lambda _q: {}, lambda _q, _v: None)
        )

    def _patch_api_endpoints(self, api_endpoint: Callable[[str, str], str]) -> None:
        from moto.apigatewayv2.models import Api

        original_init = Api.__init__

        def patched_init(api: Any, region: str, *args: Any, **kwargs: Any) -> None:
            original_init(api, region, *args, **kwargs)
            api.api_endpoint = api_endpoint(api.api_id, region)

        self._patch(Api, "__init__", patched_init)

    def _patch_rules(self, rule_target: RuleTargetHook) -> None:
        from moto.events.models import Rule

        original_send = Rule.send_to_targets

        def patched_send(rule: Any, event: Any, transform_input: bool = True) -> None:
            # moto fails the whole PutEvents on a Lambda target; skylift delivers those,
            # moto the kinds it knows, and schedule-only rules receive no events at all.
            if not rule.event_pattern.get_pattern() or not rule.event_pattern.matches_event(event):
                return
            for target in list(rule.targets):
                if ":lambda:" in str(target.get("Arn", "")):
                    rule_target(rule, target, event)
            known = [
                t
                for t in rule.targets
                if any(kind in str(t.get("Arn", "")) for kind in _MOTO_TARGETS)
            ]
            if known:
                clone = copy.copy(rule)
                clone.targets = known
                original_send(clone, event, transform_input)

        self._patch(Rule, "send_to_targets", patched_send)

    def _patch_sns(self, sns_may_deliver: SnsDeliveryHook) -> None:
        from moto.sns.models import Subscription

        original_publish = Subscription.publish

        def patched_publish(subscription: Any, *args: Any, **kwargs: Any) -> None:
            # SNS needs the function's resource policy to allow the topic (moto: never asks)
            if subscription.protocol == "lambda" and not sns_may_deliver(
                str(subscription.endpoint), str(subscription.topic.arn)
            ):
                return
            original_publish(subscription, *args, **kwargs)

        self._patch(Subscription, "publish", patched_publish)

    def _patch_metrics(self) -> None:
        from moto.cloudwatch.models import CloudWatchBackend

        from skylift.local.metrics import (
            distinct_filtered_metrics,
            exact_get_metric_data,
            exact_get_metric_statistics,
        )

        # CloudWatch matches a metric's dimensions exactly; moto, loosely (see metrics.py).
        for name, exact in (
            ("get_metric_data", exact_get_metric_data),
            ("get_metric_statistics", exact_get_metric_statistics),
            ("get_filtered_metrics", distinct_filtered_metrics),
        ):
            self._patch(CloudWatchBackend, name, exact(getattr(CloudWatchBackend, name)))

    def _patch(self, owner: type, name: str, value: Any) -> None:
        had = name in vars(owner)
        original = vars(owner).get(name)
        setattr(owner, name, value)

        def undo() -> None:
            if had:
                setattr(owner, name, original)
            else:
                delattr(owner, name)

        self._restore.append(undo)

    def remove_patches(self) -> None:
        while self._restore:
            self._restore.pop()()
