"""Run the real program under the Pulumi mock runtime and record what it declares.

This is the one place the tests and the offline render (`tools.render`) evaluate the program:
`simulate(config)` sets the stack config, runs `components.program.main()` with a recording mock
monitor, and returns every registered or read resource with its inputs (secret values wrapped in
`Secret`), provider, parent and dependencies, plus the resolved stack outputs.

No network, no cluster, no Pulumi CLI. The mocks answer with deterministic values: the same
config gives the same records every run.

`simulate(config, previous=sim)` evaluates a changed config against an earlier simulation, as
`pulumi up` would update that stack: a generated resource (password, key, certificate) that the
change replaces (`offline.replacement`) gets new stand-in values, so what consumes it changes too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.core.config import PROJECT, SECRET_KEYS, decode_value
from offline import replacement
from offline.records import (
    _UNKNOWN,
    UNKNOWN,
    Record,
    Secret,
    Simulation,
    _decode_wire,
    reveal,
)

STACK = "simulation"


def _fake(*parts: str, length: int = 24) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _generation_suffix(generation: int) -> str:
    """Part of a generated stand-in value: none for the first generation (so values stay as they were)."""
    return f"#{generation}" if generation else ""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class WorkshopMocks(pulumi_mocks.Mocks):
    """Deterministic stand-ins for what providers would return after deploy.

    `stack_outputs` answers `pulumi.StackReference` reads: by fully qualified stack name, that
    stack's outputs (a `Secret` value is a secret output). A stack not listed has no outputs.
    """

    def __init__(self, preview: bool, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
                 deployed: bool = False) -> None:
        self.preview = preview
        #: a preview of a deployed stack: each Helm release is updated (its id known, its status
        #: unknown), not created (both unknown)
        self.deployed = deployed
        self.stack_outputs = dict(stack_outputs or {})
        self.provider_clusters: dict[str, str] = {}
        # The generation of the resource being registered on this thread (set by RecordingMonitor).
        self.registering = threading.local()

    @property
    def generation(self) -> int:
        return getattr(self.registering, "generation", 0)

    def cluster_of(self, provider_ref: str | None) -> str:
        if not provider_ref:
            return "default"
        return self.provider_clusters.get(provider_ref.split("::")[-2], provider_ref.split("::")[-2])

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        typ = args.typ
        if typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", inputs
        cluster = self.cluster_of(args.provider)
        meta = inputs.get("metadata") or {}
        k8s_id = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else meta.get("name")
        if typ == "pulumi:pulumi:StackReference":
            outputs = self.stack_outputs.get(args.resource_id or args.name, {})
            return args.resource_id, {
                "name": args.resource_id,
                "outputs": {k: reveal(v) for k, v in outputs.items()},
                "secretOutputNames": sorted(k for k, v in outputs.items() if isinstance(v, Secret)),
            }
        if args.resource_id:  # a read: `Resource.get(name, id)`
            namespace, _, name = args.resource_id.rpartition("/")
            state: dict[str, Any] = {"metadata": {"name": name, "namespace": namespace}}
            if typ == "kubernetes:core/v1:Service":
                state["status"] = self._load_balancer(cluster, namespace, name)
            if typ == "kubernetes:core/v1:Secret":
                state["data"] = {key: _b64(f"mock {key} of {cluster}/{namespace}/{name}")
                                 for key in ("ca.crt", "tls.crt", "tls.key", "token")}
            return args.resource_id, state
        if typ == "kubernetes:helm.sh/v3:Release":
            status = _UNKNOWN if self.preview else {
                "name": inputs.get("name"), "namespace": inputs.get("namespace"), "chart": inputs.get("chart"),
                "version": inputs.get("version"), "status": "deployed", "revision": 1,
            }
            release_id = "" if self.preview and not self.deployed else f"{inputs.get('namespace')}/{inputs.get('name')}"
            return release_id, {**inputs, "status": status}
        if typ == "kubernetes:core/v1:Service" and (inputs.get("spec") or {}).get("type") == "LoadBalancer":
            return k8s_id, {**inputs, "status": self._load_balancer(cluster, meta.get("namespace"), meta.get("name"))}
        # Generated values: a function of the name and of how often the resource was replaced.
        name = args.name + _generation_suffix(self.generation)
        if typ == "random:index/randomPassword:RandomPassword":
            return args.name, {**inputs, "result": _fake("password", name, length=int(inputs.get("length", 24)))}
        if typ == "random:index/randomUuid:RandomUuid":
            raw = _fake("uuid", name, length=32)
            return args.name, {**inputs, "result": f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"}
        if typ == "tls:index/privateKey:PrivateKey":
            return args.name, {**inputs, "privateKeyPem": f"-----BEGIN PRIVATE KEY-----\nmock {name}\n"
                                                          "-----END PRIVATE KEY-----\n",
                               "publicKeyPem": f"mock public key {name}"}
        if typ == "tls:index/certRequest:CertRequest":
            return args.name, {**inputs, "certRequestPem": f"-----BEGIN CERTIFICATE REQUEST-----\nmock {name}\n"
                                                           "-----END CERTIFICATE REQUEST-----\n"}
        if typ in ("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert"):
            return args.name, {**inputs, "certPem": f"-----BEGIN CERTIFICATE-----\nmock {name}\n"
                                                    "-----END CERTIFICATE-----\n"}
        return k8s_id or args.name, inputs

    @staticmethod
    def _load_balancer(cluster: str, namespace: str | None, name: str | None) -> dict[str, Any]:
        return {"loadBalancer": {"ingress": [{"hostname": f"{name}.{namespace}.{cluster}.lb.example"}]}}

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping what the engine would see: parents, providers and dependencies.

    With `previous` (an earlier simulation of the same stack), a resource the change replaces gets
    the next generation of stand-in values.
    """

    def __init__(self, mocks: WorkshopMocks, previous: Simulation | None = None) -> None:
        super().__init__(mocks)
        self.workshop_mocks = mocks
        self.records: list[Record] = []
        self.previous = {r.urn: r for r in previous.records} if previous else {}
        self._generations: dict[str, int] = {}
        self._provider_inputs: dict[str, dict[str, Any]] = {}

    def _generation(self, request: Any, urn: str) -> int:
        before = self.previous.get(urn)
        if before is None:
            return 0
        inputs = _decode_wire(json_format.MessageToDict(request.object))
        provider = self._provider_inputs.get(request.provider.rsplit("::", 1)[0]) if request.provider else None
        replaced = replacement.replacement(
            request.type, inputs.get("kind"), reveal(before.inputs), reveal(inputs),
            replacement.Options(before.replacement_trigger, before.replace_on_changes),
            replacement.Options(_trigger(request), tuple(request.replaceOnChanges)), provider)
        return before.generation + 1 if replaced else before.generation

    def _record(self, request: Any, urn: str, resource_id: str, read: bool) -> None:
        wire = json_format.MessageToDict(request.properties if read else request.object)
        provider = request.provider or None
        if request.type.startswith("pulumi:providers:"):
            self.workshop_mocks.provider_clusters[urn] = request.name
            self._provider_inputs[urn] = reveal(_decode_wire(wire))
        deps = list(request.dependencies)
        prop_deps = {} if read else {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        self.records.append(Record(
            urn=urn, type=request.type, name=request.name,
            custom=True if read else bool(request.custom), read=read, id=resource_id,
            inputs=_decode_wire(wire), provider=provider, parent=request.parent or None,
            dependencies=sorted(set(deps)), property_dependencies=prop_deps,
            protect=False if read else bool(request.protect),
            retain_on_delete=False if read else bool(request.retainOnDelete),
            create_timeout=None if read else (request.customTimeouts.create or None),
            cluster=self.workshop_mocks.cluster_of(provider) if provider else None,
            replacement_trigger=None if read else _trigger(request),
            replace_on_changes=() if read else tuple(request.replaceOnChanges),
            generation=self._generations.get(urn, 0),
        ))

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN under this harness's project and stack, whatever context the SDK calls it from
        (pulumi 3.258's mock monitor reads them from context variables a worker thread may not see)."""
        if parent:
            type_ = parent.split("::")[2].split("$")[-1] + "$" + type_
        return "urn:pulumi:" + "::".join([STACK, PROJECT, type_, name])

    def RegisterResource(self, request: Any) -> Any:
        if request.type == "pulumi:pulumi:Stack":
            return super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        generation = self._generations[urn] = self._generation(request, urn)
        # The mocks answer inside this call, on this thread: tell them which generation to answer with.
        self.workshop_mocks.registering.generation = generation
        try:
            response = super().RegisterResource(request)
        finally:
            self.workshop_mocks.registering.generation = 0
        self._record(request, response.urn, response.id, read=False)
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        self._record(request, response.urn, request.id, read=True)
        return response


def _trigger(request: Any) -> Any:
    """A registration's `replacement_trigger` option (None when not set)."""
    if not request.HasField("replacement_trigger"):
        return None
    return _decode_wire(json_format.MessageToDict(request.replacement_trigger))


def _to_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def program_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """`config` (keys without the project prefix) as the program reads it under `simulate`: each value
    through Pulumi's config strings, list keys decoded again (for `parse_settings`)."""
    return {key: decode_value(key, _to_config_string(value)) for key, value in config.items()}


def simulate(
    config: Mapping[str, Any], *, preview: bool = False, monitor: RecordingMonitor | None = None,
    program: Callable[[], Any] | None = None, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    previous: Simulation | None = None, deployed: bool = False,
) -> Simulation:
    """Evaluate the program with `config` (keys without the project prefix) under mocks.

    Pass a `monitor` to inspect what was recorded even when the program raises; `program` runs
    another Pulumi program in the same harness (the benchmarks' floor) instead of this one;
    `stack_outputs` are the outputs of the stacks the program reads (see `WorkshopMocks`);
    `previous`, the simulation of the stack before a change (see the module's docstring);
    `deployed` (with `preview`), a preview of a stack already deployed (see `WorkshopMocks`).
    """
    if program is None:
        from components.program import main as program

    monitor = monitor or RecordingMonitor(WorkshopMocks(preview, stack_outputs, deployed), previous)
    mocks = monitor.workshop_mocks
    pulumi_settings.ROOT.set(None)
    set_all_config({f"{PROJECT}:{k}": _to_config_string(v) for k, v in config.items()},
                   [f"{PROJECT}:{k}" for k in SECRET_KEYS])
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=STACK, preview=preview, monitor=monitor)
    root = pulumi_settings.get_root_resource()
    try:
        _sync_await(run_pulumi_func(program))
        outputs = _resolve_outputs(root)
    finally:
        pulumi_settings.ROOT.set(None)
    return Simulation(records=monitor.records, outputs=outputs)


def _resolve_outputs(root: Any) -> dict[str, Any]:
    outputs = {}
    for key, value in sorted(getattr(root, "outputs", {}).items()):
        output = pulumi.Output.from_input(value)
        resolved = _sync_await(output.future(with_unknowns=True))
        secret = _sync_await(output.is_secret())
        resolved = _plain(resolved)
        outputs[key] = Secret(resolved) if secret else resolved
    return outputs


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if type(value).__name__ == "Unknown":
        return UNKNOWN
    return value


