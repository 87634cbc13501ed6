"""The definition of a REST API as plain data: which resources (paths) exist, which methods they
answer and where each method's integration sends the request, expanded from a list of services.

`ApiDefinition.expand(services)` is the one place the routing rules live:
- the `/api` resource; per service `/api/<name>` (or `/<name>`) and its `{proxy+}`, each answering
  ANY, sent to the ALB as HTTP_PROXY on the same path or to the Lambda as AWS_PROXY;
- the explicit routes below a service (`owners/{ownerId}`), their path variables required and
  passed through;
- the root (ANY) and the global `/{proxy+}` to the ALB;
- a CORS preflight (OPTIONS, MOCK) on every service path, its proxy, `/api` and the global proxy.

Nothing here makes a cdktf resource (`modules/rest_api.py` does, one per element); the definition is
also what the deployment trigger hashes (`fingerprint`), so a route change redeploys the stage and
nothing else does. Each element carries `origin`: the (part, key) its resource declares through the
construct's `Origin`.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

Target = Literal["alb", "lambda"]  # CORS preflights are MOCK integrations of their own (`Cors`)
ROOT = ""  # the key of the API's root resource (it exists with the API; no resource is made)
GREEDY = "{proxy+}"
VARIABLE = re.compile(r"^\{([A-Za-z][A-Za-z0-9]*)\}$")


@dataclass(frozen=True)
class Route:
    """An explicit path below a service, with the methods it answers."""

    path: str
    methods: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    name: str
    parent: Literal["api", "root"]
    target: Literal["alb", "lambda"]
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class OriginRef:
    """The part name and instance key a resource declares through the construct's `Origin`."""

    part: str
    key: str | None = None


@dataclass(frozen=True)
class ApiResource:
    key: str            # a readable id, unique in the API: "api_customers_owners_ownerid"
    path: str           # "/api/customers/owners/{ownerId}"
    parent: str         # key of the parent resource (ROOT for the API's root)
    path_part: str
    origin: OriginRef


@dataclass(frozen=True)
class Integration:
    target: Target
    http_method: str | None = None       # the integration's method (None for MOCK)
    path: str | None = None              # for the ALB: the path on the ALB, with {variables}
    request_parameters: tuple[str, ...] = ()   # path variables passed through


@dataclass(frozen=True)
class ApiMethod:
    resource: str       # key of the resource it is on
    http_method: str
    request_parameters: tuple[str, ...]  # required path variables
    integration: Integration
    origin: OriginRef
    integration_origin: OriginRef

    @property
    def key(self) -> str:
        return f"{self.resource or 'root'}_{self.http_method.lower()}"


@dataclass(frozen=True)
class Cors:
    resource: str
    origin_key: str     # the key its four resources declare ("service_customers", "api_root", ...)


@dataclass(frozen=True)
class ApiDefinition:
    resources: tuple[ApiResource, ...]
    methods: tuple[ApiMethod, ...]
    cors: tuple[Cors, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)  # API-wide values a deployment snapshots

    def __post_init__(self) -> None:
        keys = [r.key for r in self.resources]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice or ROOT in keys:
            raise ValueError(f"ApiDefinition: resource keys must be unique and not empty (twice: {twice})")
        known = {ROOT, *keys}
        for element in (*self.resources, *self.methods, *self.cors):
            ref = element.parent if isinstance(element, ApiResource) else element.resource
            if ref not in known:
                raise ValueError(f"ApiDefinition: {element} refers to an unknown resource {ref!r}")
        methods = [(m.resource, m.http_method) for m in self.methods]
        if len(set(methods)) != len(methods):
            raise ValueError(f"ApiDefinition: a method is defined twice on one resource: {methods}")

    @classmethod
    def expand(cls, services: Sequence[Service], *, cors: bool = True,
               settings: Mapping[str, object] | None = None) -> ApiDefinition:
        """The routing of the PetClinic API over `services` (in the order given)."""
        names = [s.name for s in services]
        if len(set(names)) != len(names):
            raise ValueError(f"ApiDefinition.expand: a service is listed twice: {names}")
        resources = [ApiResource("api", "/api", ROOT, "api", OriginRef("api"))]
        methods: list[ApiMethod] = []
        cors_on: list[Cors] = []
        for service in services:
            parent = "api" if service.parent == "api" else ROOT
            base = f"/api/{service.name}" if service.parent == "api" else f"/{service.name}"
            own = slug(base)
            proxy = f"{own}_proxy"
            resources += [ApiResource(own, base, parent, service.name, OriginRef("services", service.name)),
                          ApiResource(proxy, f"{base}/{GREEDY}", own, GREEDY,
                                      OriginRef("service_proxies", service.name))]
            kind = service.target
            methods += [
                ApiMethod(own, "ANY", (), service_integration(kind, base),
                          OriginRef("service_methods", service.name),
                          OriginRef(f"{kind}_service_integrations", service.name)),
                ApiMethod(proxy, "ANY", ("proxy",), service_integration(kind, f"{base}/{{proxy}}", ("proxy",)),
                          OriginRef("service_proxy_methods", service.name),
                          OriginRef(f"{kind}_service_proxy_integrations", service.name)),
            ]
            cors_on += [Cors(own, f"service_{service.name}"), Cors(proxy, f"proxy_{service.name}")]
            for route in service.routes:
                resources += _route_resources(resources, own, base, route)
                route_key = slug(f"{base}/{route.path}")
                variables = path_variables(route.path)
                for verb in route.methods:
                    part = f"{service.name}_{slug(route.path)}_{verb.lower()}"
                    methods.append(ApiMethod(route_key, verb, variables,
                                             Integration("alb", verb, f"{base}/{route.path}", variables),
                                             OriginRef(part), OriginRef(f"{part}_integration")))
        resources.append(ApiResource("proxy", f"/{GREEDY}", ROOT, GREEDY, OriginRef("global_proxy")))
        methods += [
            ApiMethod("proxy", "ANY", ("proxy",), Integration("alb", "ANY", "/{proxy}", ("proxy",)),
                      OriginRef("global_proxy_method"), OriginRef("global_proxy_integration")),
            ApiMethod(ROOT, "ANY", (), Integration("alb", "ANY", "/"),
                      OriginRef("root_method"), OriginRef("root_integration")),
        ]
        if cors:
            cors_on += [Cors("api", "api_root"), Cors("proxy", "global_proxy")]
        return cls(tuple(resources), tuple(methods), tuple(cors_on) if cors else (), dict(settings or {}))

    def resource(self, key: str) -> ApiResource:
        for r in self.resources:
            if r.key == key:
                return r
        raise KeyError(key)

    def service_key(self, service: str) -> str:
        """The key of a service's own resource (`/api/<service>` or `/<service>`)."""
        return self._key_of(OriginRef("services", service))

    def proxy_key(self, service: str) -> str:
        """The key of a service's `{proxy+}` resource."""
        return self._key_of(OriginRef("service_proxies", service))

    def _key_of(self, origin: OriginRef) -> str:
        for r in self.resources:
            if r.origin == origin:
                return r.key
        raise KeyError(f"ApiDefinition: no service {origin.key!r}")

    def fingerprint(self) -> str:
        """A stable hash of everything a deployment snapshots: resources, methods, integrations, CORS
        answers and API-wide settings. Independent of cdktf tokens and of element order in memory."""
        document = {
            "resources": sorted((r.path for r in self.resources)),
            "methods": sorted((json.dumps({**asdict(m), "origin": None, "integration_origin": None,
                                           "resource": self.path_of(m.resource)}, sort_keys=True)
                               for m in self.methods)),
            "cors": sorted(self.path_of(c.resource) for c in self.cors),
            "settings": {k: self.settings[k] for k in sorted(self.settings)},
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()

    def path_of(self, key: str) -> str:
        return "/" if key == ROOT else self.resource(key).path


def service_integration(kind: str, path: str, variables: tuple[str, ...] = ()) -> Integration:
    # The Lambda gets every method as POST (AWS_PROXY); the ALB the same method on the same path.
    if kind == "lambda":
        return Integration("lambda", "POST")
    return Integration("alb", "ANY", path, variables)


def _route_resources(existing: Sequence[ApiResource], service_key: str, base: str, route: Route) -> list[ApiResource]:
    """The resources of a route's path that do not exist yet (shared prefixes are made once)."""
    made: list[ApiResource] = []
    known = {r.key for r in existing}
    parent, path = service_key, base
    service = base.rsplit("/", 1)[1]
    for segment in route.path.split("/"):
        path = f"{path}/{segment}"
        key = slug(path)
        if key not in known:
            relative = path[len(base) + 1:]
            made.append(ApiResource(key, path, parent, segment, OriginRef(f"{service}_{slug(relative)}")))
            known.add(key)
        parent = key
    return made


def path_variables(path: str) -> tuple[str, ...]:
    return tuple(m[1] for segment in path.split("/") if (m := VARIABLE.match(segment)))


def slug(path: str) -> str:
    """`/api/customers/owners/{ownerId}` -> `api_customers_owners_ownerid`; `{proxy+}` -> `proxy`."""
    name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
    return name or "root"
