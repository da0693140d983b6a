"""Every label the app shows, in English and Chinese, and number/date formats per language.

Metric and dimension names come from the metrics registry (label_en / label_zh), so the
dashboards and the catalogue never disagree; everything else the app says lives here.
"""

from __future__ import annotations

import math
from datetime import date

LANGS = ("en", "zh")
NULL = "—"

LABELS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("Andon — factory KPIs", "Andon — 工厂KPI"),
    "page_overview": ("Overview", "总览"),
    "page_ask": ("Ask", "问数"),
    "page_equipment": ("Equipment effectiveness", "设备效率"),
    "page_quality": ("Quality", "质量"),
    "page_delivery": ("Delivery", "交付"),
    "page_inventory": ("Inventory", "库存"),
    "page_health": ("Data health", "数据健康"),
    "page_workbench": ("SQL workbench", "SQL工作台"),
    "page_reports": ("Reports & alerts", "报表与告警"),
    "language": ("Language", "语言"),
    "no_warehouse": (
        "No warehouse to read: run `andon build --inbox INBOX` first, or set ANDON_WAREHOUSE.",
        "没有可读取的数据仓库：请先运行 `andon build --inbox INBOX`，或设置 ANDON_WAREHOUSE。",
    ),
    "no_data": ("No data for this selection.", "所选范围内没有数据。"),
    "as_of": ("Data as of {date}", "数据截至 {date}"),
    "period_range": ("{start} – {end}", "{start} 至 {end}"),
    "all": ("All", "全部"),
    "share_link": (
        "Filters are kept in the address bar: copy it to share this view.",
        "筛选条件保存在地址栏中：复制链接即可分享当前视图。",
    ),
    "not_filtered_by": (
        "Not split by {dims} (these KPIs are not recorded per {dims}).",
        "未按{dims}筛选（这些指标不按{dims}记录）。",
    ),
    # periods
    "period": ("Period", "期间"),
    "today": ("Today", "今天"),
    "yesterday": ("Yesterday", "昨天"),
    "this_week": ("This week", "本周"),
    "last_week": ("Last week", "上周"),
    "this_month": ("This month", "本月"),
    "last_month": ("Last month", "上月"),
    "this_quarter": ("This quarter", "本季度"),
    "ytd": ("Year to date", "年初至今"),
    "last_12_months": ("Last 12 months", "近12个月"),
    "custom": ("Custom", "自定义"),
    "from": ("From", "开始"),
    "to": ("To (inclusive)", "结束（含）"),
    # generic columns and words
    "date": ("Date", "日期"),
    "value": ("Value", "数值"),
    "target": ("Target", "目标"),
    "delta": ("vs previous period", "较上期"),
    "status": ("Status", "状态"),
    "hours": ("Hours", "小时"),
    "count": ("Count", "次数"),
    "share": ("Share", "占比"),
    "cumulative_share": ("Cumulative share", "累计占比"),
    "metric": ("KPI", "指标"),
    "download_csv": ("CSV", "CSV"),
    "download_xlsx": ("Excel", "Excel"),
    "download_parquet": ("Parquet", "Parquet"),
    "download": ("Download data", "下载数据"),
    "on_target": ("On target", "达标"),
    "near_target": ("Near target", "接近目标"),
    "off_target": ("Off target", "未达标"),
    "no_target": ("No target", "无目标"),
    # overview
    "kpi_cards": ("Key figures", "关键指标"),
    "plant_matrix": ("Plants × KPIs", "工厂 × 指标"),
    # equipment
    "oee_trend": ("OEE with availability, performance and quality", "OEE及可用率、性能、质量"),
    "oee_heatmap": ("OEE by line and day", "各产线每日OEE"),
    "loss_waterfall": ("Where planned busy time goes", "计划运行时间损失瀑布"),
    "downtime_pareto": ("Downtime reasons (Pareto)", "停机原因柏拉图"),
    "reason": ("Reason", "原因"),
    "state": ("State", "状态"),
    "mtbf_mttr": ("MTBF and MTTR", "MTBF与MTTR"),
    "drilldown": ("Drill down: plant → line → equipment", "逐级钻取：工厂 → 产线 → 设备"),
    "drill_hint": (
        "Click a bar, or pick below, to go one level down.",
        "点击柱形或在下方选择，进入下一级。",
    ),
    "drill_up": ("Back to all plants", "返回所有工厂"),
    "loss_step": ("Step", "环节"),
    "loss_start": ("Start", "起点"),
    "loss_end": ("End", "终点"),
    # quality
    "quality_trend": ("First pass yield, scrap and rework", "直通率、报废率与返工率"),
    "defect_pareto": ("Defects by code (Pareto)", "缺陷代码柏拉图"),
    "defect": ("Defect", "缺陷"),
    "spc_chart": ("SPC control chart", "SPC控制图"),
    "product": ("Product", "产品"),
    "characteristic": ("Characteristic", "检验特性"),
    "measurement": ("Measurement", "测量值"),
    "mean": ("Mean", "均值"),
    "ucl": ("UCL (mean + 3σ)", "上控制限 (均值+3σ)"),
    "lcl": ("LCL (mean − 3σ)", "下控制限 (均值−3σ)"),
    "usl": ("USL", "规格上限"),
    "lsl": ("LSL", "规格下限"),
    "out_of_control": ("Out of control", "失控点"),
    "rule": ("Western Electric rule", "西电规则"),
    "rules_hit": ("Rules", "触发规则"),
    "in_control": ("In control", "受控"),
    "cpk_value": ("Cpk", "Cpk"),
    "samples": ("Samples", "样本数"),
    "lot_trace": ("Lot traceability", "批次追溯"),
    "lot_id": ("Lot", "批次"),
    "lot_not_found": ("No lot {lot} in the inspections.", "检验记录中没有批次 {lot}。"),
    "work_order": ("Work order", "工单"),
    "inspections_of_lot": ("Inspections", "检验记录"),
    "shipped_to": ("Shipped to", "发往客户"),
    "no_shipments": ("No shipment of this lot recorded.", "没有该批次的发货记录。"),
    # delivery
    "delivery_trend": ("On-time delivery and OTIF", "准时交付率与准时足量交付率"),
    "by": ("By", "维度"),
    "late_orders": ("Late and at-risk order lines", "逾期及有风险的订单行"),
    "late": ("Late", "已逾期"),
    "at_risk": ("At risk", "有风险"),
    "lead_time_hist": ("Order lead time distribution", "订单交付周期分布"),
    "lead_time_days": ("Lead time (days)", "交付周期（天）"),
    "order_lines": ("Order lines", "订单行数"),
    "supplier_otd": ("Supplier on-time delivery", "供应商准时交货率"),
    # inventory
    "inv_by_plant": ("Turnover and days of inventory by plant", "各工厂库存周转"),
    "inv_by_type": ("Turnover and days of inventory by material type", "各物料类型库存周转"),
    "inv_value_trend": ("Inventory value", "库存金额"),
    "slow_moving": ("Slow-moving materials", "呆滞物料"),
    "slow_days": ("No movement for at least (days)", "至少未变动天数"),
    "days_since_move": ("Days without movement", "未变动天数"),
    # data health
    "freshness": ("Source freshness", "数据源新鲜度"),
    "load_log": ("Load log", "加载日志"),
    "quarantine": ("Quarantine", "隔离区"),
    "build_results": ("Last build: dbt results", "最近一次构建：dbt结果"),
    "coverage": ("State coverage (unknown time share)", "状态覆盖率（未知时间占比）"),
    "unknown_share": ("Unknown share", "未知占比"),
    "last_build": ("Last build {id}: {status}", "最近构建 {id}：{status}"),
    "no_build_log": ("No build recorded yet.", "尚无构建记录。"),
    "only_failures": ("Only failures and warnings", "仅显示失败与警告"),
    "file": ("File", "文件"),
    # workbench
    "sql": ("SQL (read-only: one SELECT)", "SQL（只读：单条SELECT）"),
    "run": ("Run (Ctrl+Enter)", "运行 (Ctrl+Enter)"),
    "schema_browser": ("Schema", "数据结构"),
    "results": ("Results", "查询结果"),
    "rows_shown": (
        "{rows} rows in {ms} ms{limited}",
        "{rows} 行，用时 {ms} 毫秒{limited}",
    ),
    "row_limited": (" (limited to {limit})", "（限 {limit} 行）"),
    "chart_builder": ("Quick chart", "快速图表"),
    "x": ("x", "x轴"),
    "y": ("y", "y轴"),
    "color": ("Color", "颜色"),
    "mark": ("Mark", "图形"),
    "none": ("(none)", "（无）"),
    "saved_queries": ("Saved queries", "已保存的查询"),
    "save_as": ("Save as", "保存为"),
    "save": ("Save", "保存"),
    "load": ("Load", "载入"),
    "delete": ("Delete", "删除"),
    "history": ("History (this session)", "历史记录（本次会话）"),
    "refused": ("Refused", "已拒绝"),
    "query_error": ("Query failed", "查询失败"),
    "at_position": ("line {line}, column {col}", "第 {line} 行，第 {col} 列"),
    # ask
    "ask_label": ("Ask a question about the KPIs", "用一句话提问"),
    "ask_examples": ("Try one of these:", "试试这些问题："),
    "ask_metrics": ("KPIs", "指标"),
    "ask_grain": ("Per", "粒度"),
    "ask_read_as": ("Read as", "理解为"),
    "ask_open_workbench": ("Open in SQL workbench", "在SQL工作台中打开"),
    "ask_more": ("Edit on the Ask page", "在问数页面中编辑"),
    "ask_pick_metric": ("Pick at least one KPI.", "请至少选择一个指标。"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang`, with {placeholders} filled in."""
    en, zh = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: object, lang: str, decimals: int = 0) -> str:
    """A plain number: 12,345.6 in English; 1.23万 / 1.2亿 for large values in Chinese."""
    if is_missing(value):
        return NULL
    number = float(value)  # type: ignore[arg-type]
    if lang == "zh" and abs(number) >= 1e8:
        return f"{number / 1e8:,.2f}亿"
    if lang == "zh" and abs(number) >= 1e4:
        return f"{number / 1e4:,.2f}万"
    return f"{number:,.{decimals}f}"


def format_date(day: date | None, lang: str) -> str:
    """A date as a reader of that language writes it."""
    if day is None:
        return NULL
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%-d %b %Y")


def axis_date_format(lang: str) -> str:
    """d3 time format for chart axes."""
    return "%m月%d日" if lang == "zh" else "%d %b"


# Column headers of the tables (widgets.display_table). Metric and dimension columns are
# titled from the metrics registry; these are the row lists' other columns.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    # orders and shipments
    "order_id": ("Order", "订单号"),
    "line_no": ("Item", "行号"),
    "customer": ("Customer", "客户"),
    "customer_name": ("Customer", "客户"),
    "material": ("Material", "物料"),
    "material_id": ("Material no.", "物料编号"),
    "promised_date": ("Promised", "承诺交期"),
    "order_qty": ("Ordered qty", "订单数量"),
    "open_qty": ("Open qty", "未交数量"),
    "days_late": ("Days late", "逾期天数"),
    "shipment_id": ("Shipment", "发货单号"),
    "shipped_date": ("Shipped", "发货日期"),
    "shipped_qty": ("Shipped qty", "发货数量"),
    "lead_time_days": ("Lead time (days)", "交付周期（天）"),
    # inventory
    "on_hand_qty": ("On hand", "在库数量"),
    "inventory_value": ("Value (CNY)", "库存金额（元）"),
    "last_movement": ("Last movement", "最近变动"),
    "days_without_movement": ("Days without movement", "未变动天数"),
    # equipment, quality and lots
    "state": ("State", "状态"),
    "reason": ("Reason", "原因"),
    "reason_code": ("Reason code", "原因代码"),
    "hours": ("Hours", "小时"),
    "events": ("Events", "次数"),
    "cumulative_share": ("Cumulative share", "累计占比"),
    "unknown_share": ("Unknown share", "未知占比"),
    "work_order_id": ("Work order", "工单"),
    "planned_qty": ("Planned qty", "计划数量"),
    "planned_start": ("Planned start", "计划开始"),
    "planned_end": ("Planned end", "计划结束"),
    "actual_start": ("Actual start", "实际开始"),
    "actual_end": ("Actual end", "实际结束"),
    "inspected_at": ("Inspected at", "检验时间"),
    "measured_value": ("Measurement", "测量值"),
    "lsl": ("LSL", "规格下限"),
    "usl": ("USL", "规格上限"),
    "result": ("Result", "结果"),
    "defect_qty": ("Defects", "缺陷数量"),
    "lot_id": ("Lot", "批次"),
    "equipment_name": ("Equipment", "设备"),
    "sample": ("Sample", "样本"),
    "rules": ("Rules", "触发规则"),
    "flag": ("Control", "控制状态"),
    # periods
    "period": ("Period", "期间"),
    "date": ("Date", "日期"),
    # data health
    "source": ("Source", "数据源"),
    "entity": ("Entity", "数据对象"),
    "status": ("Status", "状态"),
    "max_loaded_at": ("Newest load", "最近加载"),
    "age_hours": ("Age (h)", "时长（小时）"),
    "warn_after_hours": ("Warn after (h)", "警告阈值（小时）"),
    "error_after_hours": ("Error after (h)", "错误阈值（小时）"),
    "resource_type": ("Type", "类型"),
    "name": ("Name", "名称"),
    "failures": ("Failures", "失败数"),
    "message": ("Message", "信息"),
    "seconds": ("Seconds", "秒"),
    "load_id": ("Load", "加载编号"),
    "system": ("System", "系统"),
    "file": ("File", "文件"),
    "rows_read": ("Rows read", "读取行数"),
    "rows_landed": ("Rows loaded", "入库行数"),
    "rows_quarantined": ("Rows quarantined", "隔离行数"),
    "started_at": ("Started", "开始时间"),
    "source_row": ("Row", "行号"),
    "column": ("Column", "列"),
    "original_text": ("Original row", "原始内容"),
    "quarantined_at": ("Quarantined", "隔离时间"),
    # workbench schema browser
    "type": ("Type", "类型"),
    "description": ("Description", "说明"),
    # reports and alerts
    "report": ("Report", "报表"),
    "burst": ("Per", "拆分"),
    "schedule": ("Schedule", "计划"),
    "last": ("Last run", "上次运行"),
    "slice": ("Copy", "副本"),
    "lang": ("Language", "语言"),
    "finished_at": ("Finished", "完成时间"),
    "at": ("Time", "时间"),
    "channel": ("Channel", "渠道"),
    "target": ("Recipient", "接收方"),
    "attempt": ("Attempt", "尝试次数"),
    "error": ("Error", "错误"),
    "metric": ("KPI", "指标"),
    "scope": ("Scope", "范围"),
    "condition": ("Condition", "条件"),
    "grain": ("Grain", "粒度"),
    "owner": ("Owner", "负责人"),
    "ack (min)": ("Ack within (min)", "确认时限（分钟）"),
    "rule": ("Rule", "规则"),
    "event": ("Event", "事件"),
    "contact": ("Contact", "联系人"),
}
SUFFIX_LABELS: dict[str, tuple[str, str]] = {
    "_previous": (" (previous period)", "（上期）"),
    "_last_year": (" (last year)", "（去年同期）"),
    "_delta": (" (change)", "（变化）"),
}
DATE_FORMATS = {"en": "D MMM YYYY", "zh": "YYYY年M月D日"}
DATETIME_FORMATS = {"en": "D MMM YYYY HH:mm", "zh": "YYYY年M月D日 HH:mm"}


def column_label(column: str, lang: str) -> str | None:
    """A known column's header in `lang`; None when COLUMN_LABELS lacks it."""
    pair = COLUMN_LABELS.get(column)
    if pair is None:
        return None
    return pair[1] if lang == "zh" else pair[0]
