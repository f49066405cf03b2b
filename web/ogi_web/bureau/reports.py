"""Each agency's annual report on OGI work (Art. 49, 50; parts 三 and 四), from the report
service: viewed as its HTML table, downloaded in every format ogi_report renders. Staff read
their agency's; the general office, the supervision bureau and operators every agency's and the
government-level total (the report service decides)."""

from __future__ import annotations

import json

from ogi.v1 import report_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ogi_cli.registry import registry
from ogi_platform.today import today_in_china
from ogi_report.render import FILE_EXTENSIONS, FORMATS, MEDIA_TYPES, render
from ogi_report.table import AnnualTable
from ogi_web.backend import REPORT_TIMEOUT_SECONDS, ServiceError
from ogi_web.errors import PageError
from ogi_web.pages import page
from ogi_web.session import Staff, staff
from ogi_web.state import shared

ALL = "all"
FORMAT_NAMES = {
    "json": "JSON",
    "csv": "CSV 表格",
    "markdown": "Markdown 文本",
    "html": "网页",
    "xlsx": "Excel 工作簿",
}


def _year(text: str) -> int:
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else today_in_china().year


async def _table(request: Request, who: Staff, agency: str, year: int) -> AnnualTable:
    ask = report_pb2.GetAnnualReportRequest(
        agency="" if agency == ALL else agency, year=year, all_agencies=agency == ALL
    )
    web = shared(request)
    try:
        answer = await web.backend.call(
            "report", "GetAnnualReport", ask, who.token, REPORT_TIMEOUT_SECONDS
        )
    except ServiceError as error:
        raise PageError.of(error) from None
    return AnnualTable.from_dict(json.loads(answer.table_json))


async def report(request: Request) -> HTMLResponse:
    who = staff(request)
    params = request.query_params
    agency = params.get("agency") or who.agency or ALL
    year = _year(params.get("year", ""))
    table = await _table(request, who, agency, year)
    return page(
        request,
        "bureau/report.html",
        agency=agency,
        year=year,
        agencies={ALL: "本级政府汇总"} | {a.code: a.name for a in registry().all()},
        table_html=render(table, "html").decode("utf-8-sig"),
        formats={f: FORMAT_NAMES.get(f, f) for f in FORMATS},
    )


async def download(request: Request) -> Response:
    who = staff(request)
    agency, fmt = request.path_params["agency"], request.path_params["format"]
    if fmt not in FORMATS:
        raise PageError(404, "没有这种格式")
    year = _year(request.path_params["year"])
    content = render(await _table(request, who, agency, year), fmt)
    name = f"annual-report-{agency}-{year}.{FILE_EXTENSIONS[fmt]}"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
