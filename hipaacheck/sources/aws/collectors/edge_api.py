"""API Gateway stages (REST, HTTP, WebSocket) and custom domain names.

API Gateway's management API is authorised per HTTP verb on resource paths:
every read here is the IAM action apigateway:GET.
"""

from __future__ import annotations

from typing import Any

from ....derive.edge import MethodCache, cache_encrypted
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

_GET = "apigateway:GET"
CALLS = calls(
    Call(
        "apigateway",
        "get_rest_apis",
        _GET,
        (ALL_FIELDS,),
        paginate=True,
        note="API Gateway authorises reads of its management API (REST and v2) by HTTP verb",
    ),
    Call("apigateway", "get_stages", _GET, (ALL_FIELDS,)),
    Call("apigateway", "get_domain_names", _GET, (ALL_FIELDS,), paginate=True),
)
V2_CALLS = calls(
    Call("apigatewayv2", "get_apis", _GET, (ALL_FIELDS,), paginate=True),
    Call("apigatewayv2", "get_stages", _GET, (ALL_FIELDS,), paginate=True),
    Call("apigatewayv2", "get_domain_names", _GET, (ALL_FIELDS,), paginate=True),
)


def _method_settings(settings: Any) -> list[MethodCache]:
    if not isinstance(settings, dict):
        return []
    return [
        MethodCache(str(path), s.get("cachingEnabled") is True, s.get("cacheDataEncrypted") is True)
        for path, s in settings.items()
        if isinstance(s, dict)
    ]


def _rest_stages(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    apis = ctx.fetch.call(CALLS["get_rest_apis"], region)
    if apis.error:
        return [placeholder("api_gateway_stage", ctx.where, apis.error)]
    resources = []
    for api in apis.data.get("items", []):
        api_id = str(api.get("id"))
        stages = ctx.fetch.call(CALLS["get_stages"], region, restApiId=api_id)
        if stages.error:
            b = LiveBuilder(
                "api_gateway_stage",
                ctx.where.arn("apigateway", f"/restapis/{api_id}/stages/*", account=False),
                ctx.where,
            )
            b.error([ALL_FIELDS], stages.error)
            resources.append(b.build(f"every stage of {api.get('name')}"))
            continue
        for stage in stages.data.get("item", []):
            name = str(stage.get("stageName"))
            address = ctx.where.arn("apigateway", f"/restapis/{api_id}/stages/{name}", account=False)
            b = LiveBuilder("api_gateway_stage", address, ctx.where)
            b.tags(tag_map(stage.get("tags")))
            b.set("api_kind", "rest")
            b.set("api_id", api_id)
            b.set("stage_name", name)
            destination = (stage.get("accessLogSettings") or {}).get("destinationArn")
            b.set("access_logging_enabled", bool(destination))
            b.set("cache_cluster_enabled", stage.get("cacheClusterEnabled") is True)
            b.set("cache_data_encrypted", cache_encrypted(_method_settings(stage.get("methodSettings"))))
            resources.append(b.build(name))
    return resources


def _v2_stages(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    apis = ctx.fetch.call(V2_CALLS["get_apis"], region)
    if apis.error:
        return [placeholder("api_gateway_stage", ctx.where, apis.error)]
    resources = []
    for api in apis.data.get("Items", []):
        api_id = str(api.get("ApiId"))
        kind = "websocket" if api.get("ProtocolType") == "WEBSOCKET" else "http"
        stages = ctx.fetch.call(V2_CALLS["get_stages"], region, ApiId=api_id)
        if stages.error:
            b = LiveBuilder(
                "api_gateway_stage", ctx.where.arn("apigateway", f"/apis/{api_id}/stages/*", account=False), ctx.where
            )
            b.error([ALL_FIELDS], stages.error)
            resources.append(b.build(f"every stage of {api.get('Name')}"))
            continue
        for stage in stages.data.get("Items", []):
            name = str(stage.get("StageName"))
            b = LiveBuilder(
                "api_gateway_stage",
                ctx.where.arn("apigateway", f"/apis/{api_id}/stages/{name}", account=False),
                ctx.where,
            )
            b.tags(tag_map(stage.get("Tags")))
            b.set("api_kind", kind)
            b.set("api_id", api_id)
            b.set("stage_name", name)
            b.set("access_logging_enabled", bool((stage.get("AccessLogSettings") or {}).get("DestinationArn")))
            resources.append(b.build(name))
    return resources


def collect_stages(ctx: Context) -> list[Resource]:
    return _rest_stages(ctx) + _v2_stages(ctx)


def collect_domains(ctx: Context) -> list[Resource]:
    """Custom domains: API Gateway lists them through both APIs; each is reported once (REST listing first)."""
    region = ctx.where.region
    resources = []
    seen: set[str] = set()
    rest = ctx.fetch.call(CALLS["get_domain_names"], region)
    if rest.error:
        resources.append(placeholder("api_gateway_domain", ctx.where, rest.error))
    for domain in rest.data.get("items", []):
        name = str(domain.get("domainName"))
        seen.add(name)
        b = LiveBuilder(
            "api_gateway_domain", ctx.where.arn("apigateway", f"/domainnames/{name}", account=False), ctx.where
        )
        b.tags(tag_map(domain.get("tags")))
        b.set("domain_name", name)
        b.set("api_kind", "rest")
        b.set("security_policy", domain.get("securityPolicy"))
        resources.append(b.build(name))
    v2 = ctx.fetch.call(V2_CALLS["get_domain_names"], region)
    if v2.error:
        resources.append(placeholder("api_gateway_domain", ctx.where, v2.error))
    for domain in v2.data.get("Items", []):
        name = str(domain.get("DomainName"))
        if name in seen:
            continue
        b = LiveBuilder(
            "api_gateway_domain", ctx.where.arn("apigateway", f"/domainnames/{name}", account=False), ctx.where
        )
        b.tags(tag_map(domain.get("Tags")))
        b.set("domain_name", name)
        b.set("api_kind", "v2")
        configurations = [c for c in domain.get("DomainNameConfigurations") or [] if isinstance(c, dict)]
        policies = {str(c.get("SecurityPolicy")) for c in configurations if c.get("SecurityPolicy")}
        if len(policies) == 1:
            b.set("security_policy", policies.pop())
        elif policies:  # several endpoints: the weakest decides
            b.set("security_policy", "TLS_1_0" if "TLS_1_0" in policies else sorted(policies)[0])
        resources.append(b.build(name))
    return resources


def _collect(ctx: Context) -> list[Resource]:
    return collect_stages(ctx) + collect_domains(ctx)


COLLECTOR = Collector(
    "apigateway",
    ("api_gateway_stage", "api_gateway_domain"),
    CALLS | {f"v2_{k}": v for k, v in V2_CALLS.items()},
    _collect,
)
