"""Analyst pages (French): the read-only Cypher console and the pathway library.

The pages are server-rendered shells; web/static/js/console.js runs queries through /api/v1/cypher with the
session's CSRF token, draws the results table and the small graph view, and offers CSV/JSON downloads.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from accounts.web import init_app
from graph import library
from web.admin_pages import page
from web.analysis_api import PERMISSION, describe
from web.services import services

bp = Blueprint("analysis_pages", __name__)
bp.record_once(lambda state: init_app(state.app))

EXAMPLE = ("MATCH p = (s:Site)-[:HAS_ORG*1..3]->(:InternalOrg)-[:OFFERS]->(:Offer)-[:PROVIDES]->(:Activity)\n"
           "WHERE s.department_code = $departement\n"
           "RETURN p LIMIT 5")


def _limits() -> dict:
    s = services().settings
    return {"row_cap": s.console_row_cap, "timeout_s": s.console_timeout_s,
            "export_row_cap": s.console_export_row_cap, "export_timeout_s": s.console_export_timeout_s,
            "ttl_hours": s.console_job_ttl_hours}


@bp.get("/analyse/console")
@page(PERMISSION)
def console(principal):
    return render_template("analysis/console.html", example=EXAMPLE, example_params='{"departement": "01"}',
                           limits=_limits())


@bp.get("/analyse/bibliotheque")
@page(PERMISSION)
def library_page(principal):
    return render_template("analysis/library.html", queries=[describe(q) for q in library.all_queries()],
                           limits=_limits())
