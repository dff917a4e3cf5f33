"""Campaign endpoints: a year's theme, targets, deadlines, score sheets and award rules."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.api.common import context, kept_document, registry
from services.registry.api.schemas import CampaignIn, CampaignOpenIn, CampaignOut, CopyQuery, ExtensionIn
from services.registry.app import campaigns
from services.registry.contracts import CampaignContentV1
from shared.auth import ACADEMY_ADMIN, require
from shared.errors import RuleBroken

blp = Blueprint(
    "campaigns", __name__, url_prefix="/campaigns", description="Yearly campaigns (phong trào thi đua)"
)


def _content(body: dict[str, Any]) -> dict[str, Any]:
    """Return the loaded campaign body as JSON-ready event data."""
    body.pop("expected_version", None)
    content: dict[str, Any] = CampaignContentV1().dump(body)
    return content


@blp.route("")
class Campaigns(MethodView):
    """The campaigns."""

    @require()
    @blp.response(200, CampaignOut(many=True))
    def get(self) -> Response:
        """List every campaign, newest first (a document: ETag and 304)."""
        return kept_document(
            ("campaigns",), lambda: CampaignOut(many=True).dump(campaigns.list_campaigns(registry()))
        )

    @require(ACADEMY_ADMIN)
    @blp.arguments(CampaignOpenIn)
    @blp.response(201, CampaignOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open a year's campaign, from its full content or as a copy of ``from_year``'s; CampaignOpened."""
        if body.get("from_year") is not None:
            carried = campaigns.carried(
                registry(), body["year"], body["from_year"], body["theme"], body.get("legal_basis")
            )
            if body.get("opened_on"):
                carried["opened_on"] = body["opened_on"].isoformat()
            return campaigns.open_campaign(registry(), carried, context())
        content = CampaignContentV1().load({k: v for k, v in body.items() if k != "from_year"})
        return campaigns.open_campaign(registry(), _content(content), context())


@blp.route("/<int:year>")
class Campaign(MethodView):
    """One year's campaign."""

    @require()
    @blp.response(200, CampaignOut)
    def get(self, year: int) -> Response:
        """Return a year's campaign (a document: ETag and 304)."""
        return kept_document(
            ("campaign", year), lambda: CampaignOut().dump(campaigns.get_campaign(registry(), year))
        )

    @require(ACADEMY_ADMIN)
    @blp.arguments(CampaignIn)
    @blp.response(200, CampaignOut)
    def put(self, body: dict[str, Any], year: int) -> dict[str, Any]:
        """Amend a campaign before its first deadline; records CampaignAmended."""
        expected = body.get("expected_version")
        if body["year"] != year:
            raise RuleBroken("the body's year must match the path", {"year": body["year"]}, "year_mismatch")
        return campaigns.amend_campaign(registry(), year, _content(body), expected, context())


@blp.route("/<int:year>/copy")
@require(ACADEMY_ADMIN)
@blp.arguments(CopyQuery, location="query")
@blp.response(200, CampaignOut)
def copy(query: dict[str, Any], year: int) -> dict[str, Any]:
    """Return the content this year's campaign would give a later year (nothing is recorded)."""
    return {
        "year": query["into"],
        "version": 0,
        "content": campaigns.carried(registry(), query["into"], year),
    }


@blp.route("/<int:year>/deadlines/<code>/extension", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ExtensionIn)
@blp.response(200, CampaignOut)
def extend_deadline(body: dict[str, Any], year: int, code: str) -> dict[str, Any]:
    """Move one deadline later (never earlier), for everyone or for one filer; records DeadlineExtended."""
    return campaigns.extend_deadline(
        registry(), year, code, body["due"], body["reason"], context(), body.get("filer_id")
    )
