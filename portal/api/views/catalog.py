"""The catalog: templates a team may request (their newest published version), bundles, cost estimates."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.catalog.models import Bundle
from portal.catalog.pricing import estimate_items
from portal.catalog.selectors import bundle_versions, offered_bundles, offered_version_for, offered_versions

from ..problems import FieldProblems
from .catalog_serializers import BundleOut, EstimateIn, EstimateOut, TemplateOut
from .paths import SLUG


def versions_for(items: list[dict], *, base: str = "/items") -> list:
    """The offered version of each item's ``template`` slug, or FieldProblems pointing at each unknown one."""
    versions, errors = [], []
    for position, item in enumerate(items):
        version = offered_version_for(item["template"])
        if version is None:
            errors.append({"pointer": f"{base}/{position}/template",
                           "detail": f"No template “{item['template']}” is offered in the catalog."})
        versions.append(version)
    if errors:
        raise FieldProblems(errors)
    return versions


def bundle_out(bundle: Bundle) -> dict:
    offered = bundle_versions(bundle)
    items = list(bundle.items.all())  # the same order as bundle_versions
    return {"slug": bundle.slug, "name": bundle.name, "description": bundle.description,
            "items": [{"title": title, "template": item.template.slug, "version": version.number if version else None}
                      for (title, version), item in zip(offered, items, strict=True)]}


class TemplateList(APIView):
    """Every template with a published version, with the newest published version."""

    @extend_schema(responses=TemplateOut(many=True), operation_id="catalog_templates_list", tags=["catalog"])
    def get(self, request):
        return Response(TemplateOut([TemplateOut.of(v) for v in offered_versions()], many=True).data)


class TemplateDetail(APIView):
    @extend_schema(responses=TemplateOut, operation_id="catalog_templates_retrieve", tags=["catalog"],
                   parameters=[SLUG])
    def get(self, request, slug: str):
        version = offered_version_for(slug)
        if version is None:
            raise Http404("No such template in the catalog")
        return Response(TemplateOut(TemplateOut.of(version)).data)


class BundleList(APIView):
    @extend_schema(responses=BundleOut(many=True), operation_id="catalog_bundles_list", tags=["catalog"])
    def get(self, request):
        return Response(BundleOut([bundle_out(b) for b in offered_bundles()], many=True).data)


class BundleDetail(APIView):
    @extend_schema(responses=BundleOut, operation_id="catalog_bundles_retrieve", tags=["catalog"],
                   parameters=[SLUG])
    def get(self, request, slug: str):
        bundle = get_object_or_404(Bundle.objects.prefetch_related("items__template"), slug=slug, is_active=True)
        return Response(BundleOut(bundle_out(bundle)).data)


class Estimate(APIView):
    """What items would cost a month, from the price table (missing values count at their defaults)."""

    scopes = {"POST": "read"}  # saves nothing

    @extend_schema(request=EstimateIn, responses=EstimateOut, operation_id="catalog_estimate", tags=["catalog"])
    def post(self, request):
        given = EstimateIn(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["items"]
        versions = versions_for(items)
        estimate = estimate_items([(version, item["values"]) for version, item in zip(versions, items, strict=True)])
        return Response(EstimateOut(EstimateOut.of(estimate)).data)
