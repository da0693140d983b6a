"""The few fixed words reports print, in English and Chinese."""

from __future__ import annotations

WORDS = {
    "period": ("Period", "统计期间"),
    "generated": ("Generated", "生成时间"),
    "target": ("Target", "目标"),
    "previous": ("Previous", "上期"),
    "change": ("Change", "变化"),
    "metric": ("Metric", "指标"),
    "value": ("Value", "数值"),
    "status": ("Status", "状态"),
    "green": ("On target", "达标"),
    "amber": ("Near target", "接近目标"),
    "red": ("Off target", "未达标"),
    "none": ("No target", "无目标"),
    "missing": ("No data", "无数据"),
    "no_data": ("No data for this period.", "本期无数据。"),
    "summary": ("KPI summary", "KPI 概要"),
    "open_report": ("Open the report", "查看报表"),
    "slice": ("Scope", "范围"),
    "period_col": ("Period", "期间"),
    "alert": ("Alert", "告警"),
    "cleared": ("Cleared", "已恢复"),
    "escalated": ("Escalated", "已升级"),
    "acknowledge": ("Acknowledge", "确认"),
    "owner": ("Owner", "负责人"),
    "kpis": ("KPIs", "KPI"),
}


def t(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en
