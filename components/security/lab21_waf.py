"""Lab 21: the web application firewall blocks Log4Shell payloads on every route of the main table.

The `waf` label on the main RouteTable's root route is composed in `plan`. The workshop applies
the policy in `httpbin`, a namespace of the httpbin workspace that lab 14 creates; here it lives
beside the route it protects, in `istio-gateways` (the gateways workspace), so `waf` works with
`gateway` alone, as the feature table promises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.constants import ISTIO_GATEWAYS_NS
from components.core.policies import apply_to_routes
from components.core.shapes import WAF_ROUTE_LABEL
from components.core.target import Target

WAF_POLICY = "log4shell"
INTERVENTION_MESSAGE = "Log4Shell malicious payload"
#: Lab 21's rule, verbatim. The workshop applies it from a quoted heredoc (<<'EOF'), so `\${jndi:`
#: reaches ModSecurity with its backslash, and the trailing spaces of the README are kept.
LOG4SHELL_RULE = (
    "SecRuleEngine On\n"
    "SecRequestBodyAccess On\n"
    "SecRule REQUEST_LINE|ARGS|ARGS_NAMES|REQUEST_COOKIES|REQUEST_COOKIES_NAMES|REQUEST_BODY|REQUEST_HEADERS"
    "|XML:/*|XML://@*  \n"
    '  "@rx \\${jndi:(?:ldaps?|iiop|dns|rmi)://" \n'
    "  \"id:1000,phase:2,deny,status:403,log,msg:'Potential Remote Command Execution: Log4j CVE-2021-44228'\"\n"
)


def waf_policy() -> dict[str, Any]:
    return crds.WAFPolicy.manifest(WAF_POLICY, ISTIO_GATEWAYS_NS, {
        "applyToRoutes": apply_to_routes(WAF_ROUTE_LABEL),
        "config": {
            "disableCoreRuleSet": True,
            "customInterventionMessage": INTERVENTION_MESSAGE,
            "customRuleSets": [{"ruleStr": LOG4SHELL_RULE}],
        },
    })


@dataclass(frozen=True)
class WafArgs:
    #: The config cluster (the workshop's CLUSTER1) and the release installing Gloo's CRDs there.
    target: Target


class Waf(pulumi.ComponentResource):
    #: WAFPolicy `log4shell` in istio-gateways.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:Waf", name, None, opts)
        self.policy = args.target.emit(self, waf_policy())
        self.register_outputs({})
