"""`ogi report annual` (part 三 and 四 of the annual report) and `ogi remedy` (part 四's cases)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ogi.v1 import reply_pb2, report_pb2

from ogi_cli.client import Clients
from ogi_cli.commands import as_dict, call, output_file, whole_number, write_file
from ogi_cli.helptext import AGENCIES, listed
from ogi_cli.parser import GROUPS, Commands
from ogi_errors import InvalidInput
from ogi_law.labels import REMEDY_KINDS, REMEDY_RESULTS
from ogi_law.rules import choose
from ogi_report.render import FORMATS, render
from ogi_report.table import AnnualTable, BrokenTable, sum_tables

#: Formats that are text, printed when no --out file is given.
PRINTABLE = ("markdown", "csv", "html")
REPORT_TIMEOUT_SECONDS = 600.0  # a rebuild consumes the whole stream again
FORMAT_NAMES = {
    "markdown": "Markdown 文本",
    "csv": "CSV 表格",
    "html": "网页",
    "xlsx": "Excel 工作簿",
    "json": "JSON（可用 ogi report combine 汇总）",
}


def _format(args: argparse.Namespace) -> str:
    fmt = choose("format", args.format or "", dict.fromkeys(FORMATS), "markdown")
    if fmt == "xlsx" and not args.out:
        raise InvalidInput("out", "an .xlsx workbook needs a file: --out report.xlsx")
    if args.out:
        output_file("out", args.out)
    return fmt


def _emit(
    table: AnnualTable, fmt: str, args: argparse.Namespace, about: dict[str, Any]
) -> dict[str, Any]:
    """Render the table (which checks it again: a broken one is never emitted); write it to
    --out, or print it."""
    content = render(table, fmt)
    if args.out:
        path = write_file("out", args.out, content)
        return {
            "agency": table.agency or "all",
            "year": table.year,
            "format": fmt,
            "written": str(path.resolve()),
            **about,
            "check": "一 + 二 = 三（七）总计 + 四 holds in every column",
        }
    if args.json or fmt not in PRINTABLE:
        return table.to_dict()
    return {"_text": content.decode("utf-8-sig")}


def annual(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    fmt = _format(args)
    request = report_pb2.GetAnnualReportRequest(
        agency=args.agency or "",
        year=args.year,
        all_agencies=args.all_agencies,
        rebuild=args.rebuild,
    )
    response = clients.report().GetAnnualReport(request, timeout=REPORT_TIMEOUT_SECONDS)
    table = AnnualTable.from_dict(json.loads(response.table_json))
    return _emit(table, fmt, args, {"events_read": response.events_read})


def _read_table(name: str) -> AnnualTable:
    try:
        table = AnnualTable.from_dict(json.loads(Path(name).read_text(encoding="utf-8")))
        table.check()
    except OSError as error:
        raise InvalidInput("files", f"cannot read {name}: {error.strerror}") from None
    except (ValueError, AttributeError, TypeError, BrokenTable) as error:
        raise InvalidInput("files", f"{name} is not a valid table: {error}") from None
    return table


def combine(args: argparse.Namespace) -> dict[str, Any]:
    """The government-level table from the agencies' own JSON tables, as the general office
    compiles it when each agency runs its own instance."""
    fmt = _format(args)
    tables = [_read_table(name) for name in args.files]
    if any(t.agency is None for t in tables):
        raise InvalidInput("files", "a government-level table is not added up again")
    agencies = [t.agency for t in tables]
    repeated = sorted({str(a) for a in agencies if agencies.count(a) > 1})
    if repeated:
        raise InvalidInput("files", f"counted twice: {', '.join(repeated)}")
    years = {t.year for t in tables}
    if len(years) != 1:
        raise InvalidInput("files", f"tables of different years: {sorted(years)}")
    total = sum_tables(tables, agency=None, year=years.pop())
    return _emit(total, fmt, args, {"agencies": agencies})


def file_remedy(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.FileRemedyRequest(
        application_id=args.application_id,
        kind=args.kind,
        body=args.body or "",
        case_number=args.case_number or "",
        filed_on=args.on or "",
    )
    response = call(clients, "reply", "FileRemedy", request)
    return {"application_id": args.application_id, "remedies": as_dict(response)["remedies"]}


def conclude_remedy(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.ConcludeRemedyRequest(
        application_id=args.application_id,
        ref=args.ref,
        result=args.result,
        concluded_on=args.on or "",
    )
    response = call(clients, "reply", "ConcludeRemedy", request)
    return {"application_id": args.application_id, "remedies": as_dict(response)["remedies"]}


def add_parsers(add: Commands) -> None:
    kinds = Commands(add("report", GROUPS["report"][1]), "report_kind")
    formats = listed("格式（默认 markdown）", {f: FORMAT_NAMES.get(f, f) for f in FORMATS})
    annual_parser = kinds(
        "annual", "一个年度的第三部分和第四部分（收到和处理申请、复议诉讼）", "report_file"
    )
    who = annual_parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--agency", help=f"机关：\n{AGENCIES}")
    who.add_argument("--all-agencies", action="store_true", help="本级政府的汇总表")
    annual_parser.add_argument("--year", type=whole_number, required=True, help="年度")
    annual_parser.add_argument("--format", help=formats)
    annual_parser.add_argument("--out", help="写入该文件（xlsx 必须）")
    annual_parser.add_argument(
        "--rebuild", action="store_true", help="删除读模型，从消息总线重新读取全部事件"
    )
    annual_parser.set_defaults(run=annual)
    combined = kinds("combine", "把各机关的 JSON 表相加为本级政府的汇总表", "report_file")
    combined.add_argument(
        "files", nargs="+", metavar="文件", help="用 --format json --out 写出的表"
    )
    combined.add_argument("--format", help=formats)
    combined.add_argument("--out", help="写入该文件（xlsx 必须）")
    combined.set_defaults(local=combine)

    steps = Commands(add("remedy", GROUPS["remedy"][1]), "remedy_step")
    filed = steps("file", "记录申请人申请行政复议或提起行政诉讼", "remedies")
    filed.add_argument("application_id", metavar="申请标识", help="申请标识（A 开头）")
    filed.add_argument("--kind", required=True, help=listed("类型", REMEDY_KINDS))
    filed.add_argument("--body", help="复议机关或法院")
    filed.add_argument("--case-number", help="案号")
    filed.add_argument("--on", help="申请或起诉日期（YYYY-MM-DD）")
    filed.set_defaults(run=file_remedy)
    concluded = steps("conclude", "记录复议决定或判决的结果", "remedies")
    concluded.add_argument("application_id", metavar="申请标识", help="申请标识（A 开头）")
    concluded.add_argument("--ref", required=True, help="编号：R1、R2……（记录时给出）")
    concluded.add_argument("--result", required=True, help=listed("结果", REMEDY_RESULTS))
    concluded.add_argument("--on", help="复议决定或判决的日期（YYYY-MM-DD）")
    concluded.set_defaults(run=conclude_remedy)
