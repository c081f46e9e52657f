"""The register layout of SCHEMA.md: canonical English column names and their Chinese headers.

Every table the engine reads is renamed to the English names here; any other column is
carried through untouched.  A column that is absent is treated as empty.

>>> canonical_name("身份证号")
'id_number'
>>> canonical_name(" ID_Number ")
'id_number'
>>> canonical_name("户别"), canonical_name("配偶户籍地代码")
('household_type', 'spouse_hukou_code')
>>> canonical_name("备用字段") is None
True
"""

from __future__ import annotations

REGISTER_COLUMNS: dict[str, str] = {
    "record_id": "记录编号",
    "unit_code": "管理单位代码",
    "unit_name": "管理单位",
    "name": "姓名",
    "id_number": "身份证号",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "marital_status": "婚姻状况",
    "marriage_date": "婚姻变动日期",
    "hukou_code": "户籍地代码",
    "hukou_address": "户籍地址",
    "residence_code": "现居住地代码",
    "residence_address": "现居住地址",
    "residence_since": "现居住地起始日期",
    "work_unit": "工作单位",
    "phone": "联系电话",
    "spouse_name": "配偶姓名",
    "spouse_id_number": "配偶身份证号",
    "contraception": "节育措施",
    "pregnancy": "现孕情况",
    "registered_date": "建档日期",
    "status": "状态",
    "spouse_hukou_code": "配偶户籍地代码",
    "spouse_residence_code": "配偶现居住地代码",
    "spouse_work_unit": "配偶工作单位",
    "hukou_nature": "户口性质",
    "spouse_hukou_nature": "配偶户口性质",
    "household_type": "户别",
    "remarks": "备注",
    "source": "来源",
}
"""English name -> Chinese header, in the order of SCHEMA.md."""

REQUIRED_REGISTER_COLUMNS: tuple[str, ...] = ("record_id", "unit_code", "name")
"""Columns a register must have; an extract from another department needs only record_id."""

REQUIRED_EXTRACT_COLUMNS: tuple[str, ...] = ("record_id",)

CHILD_COLUMNS: dict[str, str] = {
    "child_id": "子女编号",
    "mother_record_id": "母亲记录编号",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "birth_order": "孩次",
    "id_number": "身份证号",
    "policy": "政策属性",
    "reported_period": "上报期",
}

REQUIRED_CHILD_COLUMNS: tuple[str, ...] = ("child_id", "mother_record_id")

OUTPUT_HEADERS_ZH: dict[str, str] = {
    **REGISTER_COLUMNS,
    "cluster_id": "聚类编号",
    "cluster_size": "聚类人数",
    "record_id_l": "记录编号(左)",
    "record_id_r": "记录编号(右)",
    "probability": "匹配概率",
    "reasons": "匹配依据",
    "managing_record_id": "保留记录编号",
    "managing_unit_code": "管理单位代码",
    "rule": "规则",
    "evidence": "依据",
    "notice_id": "通报编号",
    "kind": "类别",
    "from_unit_code": "发出单位代码",
    "to_unit_code": "接收单位代码",
    "kept_record_id": "保留记录编号",
    "field": "字段",
    "value": "原值",
    "reason": "原因",
    "severity": "严重程度",
    "message": "说明",
}
"""Chinese headers for the output tables (used in the Excel copies offices print)."""


def _key(header: object) -> str:
    return str(header).strip().lower().replace(" ", "_")


def _lookup(columns: dict[str, str]) -> dict[str, str]:
    table = {_key(english): english for english in columns}
    table.update({_key(chinese): english for english, chinese in columns.items()})
    return table


_REGISTER_LOOKUP = _lookup(REGISTER_COLUMNS)
_CHILD_LOOKUP = _lookup(CHILD_COLUMNS)


def canonical_name(header: object, *, table: str = "register") -> str | None:
    """The English column name for ``header`` (English or Chinese), or None if unknown."""
    lookup = _CHILD_LOOKUP if table == "children" else _REGISTER_LOOKUP
    return lookup.get(_key(header))
