"""Every message the engine shows a user, in Chinese first and in English: one table, one place.

A message is looked up by key and formatted with named fields; the language is Chinese unless
``set_language("en")`` was called (the command line's ``--lang en``) or the environment variable
``LINKAGE_LANG`` starts with ``en``.  Column names are shown as the file's header wrote them
(``column_label``).

>>> set_language("zh"); text("file.missing", path="a.csv")
'a.csv: 文件不存在'
>>> set_language("en"); text("file.missing", path="a.csv")
'a.csv: no such file'
>>> set_language("zh")
"""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")
_language = "en" if os.environ.get("LINKAGE_LANG", "").lower().startswith("en") else "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    # reading files
    "file.missing": ("{path}: 文件不存在", "{path}: no such file"),
    "file.unknown_type": ("{path}: 无法识别的文件类型 {suffix!r},请使用 .csv、.xlsx 或 .parquet",
                          "{path}: unknown file type {suffix!r}; use .csv, .xlsx or .parquet"),
    "file.unreadable": ("{path}: 无法按 {kind} 格式读取({detail})", "{path}: cannot be read as {kind} ({detail})"),
    "file.bad_csv": ("{path}: 不是格式正确的CSV文件({detail})", "{path}: not a well-formed CSV file ({detail})"),
    "file.bad_encoding": ("{path}: 不是UTF-8或GB18030编码的文本({detail})",
                          "{path}: not UTF-8 or GB18030 text ({detail})"),
    "file.empty": ("{path}: 文件是空的,没有表头也没有记录", "{path}: the file is empty: no header, no records"),
    "file.header_only": ("{path}: 只有表头(第{row}行),没有记录", "{path}: only a header (row {row}), no records"),
    "file.no_header": ("{path}: 前{rows}行中找不到表头(至少需要 {wanted});第1行是:{found}",
                       "{path}: no header in the first {rows} rows (it needs at least {wanted}); row 1 holds: {found}"),
    "file.header_skipped": ("{path}: 表头在第{row}行,已跳过上方{skipped}行标题", "{path}: the header is on row {row}; "
                            "the {skipped} title row(s) above it were skipped"),
    "sheet.none": ("{path}: 没有一个工作表含有表头(至少需要 {wanted});各工作表:{sheets}",
                   "{path}: no sheet holds the header (it needs at least {wanted}); sheets: {sheets}"),
    "sheet.empty": ("{path}: 工作表“{sheet}”只有表头,没有记录", "{path}: sheet '{sheet}' has a header but no records"),
    "sheet.columns_differ": ("{path}: 工作表“{sheet}”的表头与“{first}”不同(多出或缺少:{columns}),请统一表头后再导出",
                             "{path}: sheet '{sheet}' has other columns than '{first}' ({columns}); make the headers "
                             "alike and export again"),
    "column.numeric_ids": (
        "{path}: “{column}”一列按数字保存,长号码已丢失末几位(如{row}为 {value},共{count}行);请在Excel中把该列设为"
        "“文本”格式后从WIS系统重新导出,或导出为CSV(另存为时选“CSV UTF-8”),不要在Excel中打开后再保存",
        "{path}: column '{column}' is stored as numbers, so long numbers lost their last digits ({row} holds "
        "{value}; {count} rows in all); set the column's format to Text and export it again from the WIS system, "
        "or export CSV (UTF-8) without opening and saving it in Excel"),
    "column.missing": ("{path}: 缺少必需的列 {wanted};文件的表头(第{row}行)是:{found}",
                       "{path}: missing required column(s) {wanted}; the header (row {row}) holds: {found}"),
    "column.twice": ("{path}: 有两列都表示 {column}({english}):{headers};请只保留一列",
                     "{path}: two columns mean {column} ({english}): {headers}; keep one"),
    "key.blank": ("{path}: “{column}”一列在{rows}为空;每行都必须填写", "{path}: column '{column}' is blank in {rows}; "
                  "every row needs one"),
    "key.repeated": ("{path}: “{column}”一列的值 {values} 重复出现在{rows};该列必须唯一",
                     "{path}: column '{column}' repeats value(s) {values} in {rows}; it must be unique"),
    "rows.list": ("第{rows}行", "row(s) {rows}"),
    "rows.more": ("{shown}等(另有{more}行)", "{shown} and {more} more"),
    "rows.sheet": ("工作表“{sheet}”第{row}行", "sheet '{sheet}' row {row}"),
    "merged.flag": ("该单元格在原表中是合并单元格,已按合并区域左上角的值“{value}”填入,请核对",
                    "a merged cell in the workbook, filled from its anchor '{value}'; check it"),
    # output folder
    "out.is_file": ("{path}: 输出位置是一个文件,不是文件夹;请另选一个文件夹", "{path}: the output location is a file, "
                    "not a folder; choose a folder"),
    "out.not_result": ("{path}: 该文件夹已有其他内容(如 {example}),不是本程序以前的结果;结果会整个替换该文件夹,"
                       "请另选一个新的或空的文件夹", "{path}: the folder holds other files (e.g. {example}) and is not "
                       "an earlier result of this program; a run replaces its folder whole, so choose a new or "
                       "empty folder"),
    "out.unwritable": ("{path}: 无法在此写入结果({detail});请检查文件夹是否存在、是否只读、磁盘是否已满",
                       "{path}: cannot write the results here ({detail}); check that the folder exists, is not "
                       "read-only and the disk is not full"),
    "out.write_failed": ("{path}: 写出结果失败({detail});原有的结果文件夹未改动", "{path}: writing the results failed "
                         "({detail}); the earlier result folder is untouched"),
    "manifest.missing": ("{path}: 没有 manifest.json,不是一次完整运行的结果(可能运行中断);请重新运行",
                         "{path}: no manifest.json, so not the result of a complete run (perhaps interrupted); "
                         "run again"),
    "manifest.bad": ("{path}: manifest.json 无法读取或版本不对({detail})", "{path}: manifest.json cannot be read or "
                     "has another format ({detail})"),
    "manifest.mismatch": ("{path}: 文件 {file} 与 manifest.json 不符({detail});该文件夹的结果已被改动,请重新运行",
                          "{path}: {file} does not match manifest.json ({detail}); the results were changed since, "
                          "run again"),
    "manifest.extra": ("{path}: 文件 {file} 不在 manifest.json 中(不属于这次运行)", "{path}: {file} is not in "
                       "manifest.json (it is not of this run)"),
    # command line
    "cli.error": ("linkage {command}: 错误:{detail}", "linkage {command}: error: {detail}"),
    "cli.fault": ("linkage {command}: 程序内部错误({kind}: {detail});输出文件夹未改动。请把这条信息和所用命令报告给维护者",
                  "linkage {command}: engine fault ({kind}: {detail}); the output folder is untouched. Please report "
                  "this message and the command to the maintainers"),
    "cli.interrupted": ("linkage {command}: 已中断;输出文件夹未改动", "linkage {command}: interrupted; the output "
                        "folder is untouched"),
    "cli.written": ("结果已写入 {path}(共{files}个文件,清单见 manifest.json)",
                    "written to {path} ({files} files, listed in manifest.json)"),
    "cli.file_rows": ("  {file}: {rows:,}行({what})", "  {file}: {rows:,} rows ({what})"),
    "cli.file_rows_plain": ("  {file}: {rows:,}行", "  {file}: {rows:,} rows"),
    "stage.writing": ("写出结果文件", "writing the output files"),
    "stage.writing_step": ("写出 {file}", "writing {file}"),
    # what a file's rows are (the run summary)
    "rows.clusters": ("每条记录一行", "one row per record"),
    "rows.pairs": ("待复核的比对对", "candidate pairs for review"),
    "rows.decisions": ("每个重复组一行,含管理单位的决定", "one row per duplicate group, with its managing-unit decision"),
    "rows.notices": ("注销/迁出通报", "notices"),
    "rows.verification": ("本区须核实的重复组,每组一行", "groups this district must verify, one row each"),
    "rows.splits": ("因不可能是同一人而拆开的比对", "links split because the records cannot be one woman"),
    "rows.flags": ("有问题的字段值", "flagged values"),
    "rows.links": ("匹配的记录对", "matched pairs"),
    "rows.unmatched_left": ("左表中未匹配的记录", "records of LEFT that match nothing"),
    "rows.unmatched_right": ("右表中未匹配的记录", "records of RIGHT that match nothing"),
    "rows.flags_left": ("左表有问题的字段值", "flagged values of LEFT"),
    "rows.flags_right": ("右表有问题的字段值", "flagged values of RIGHT"),
    "rows.findings": ("逻辑错误与警告", "logic errors and warnings"),
    "rows.separation": ("人户分离记录", "separated records"),
    "rows.missing": ("漏管育龄妇女", "unregistered women"),
    "rows.summary": ("各街道及合计", "streets and the district total"),
    "rows.sample": ("抽查样本", "spot-check sample"),
    "rows.spotcheck": ("各街道及全区", "streets and the district"),
    "rows.blocks": ("跳过了超大分块的比对键,每键一行", "blocking keys that skipped oversized blocks, one row each"),
    "cell.cleaned": ("含有Excel无法保存的控制字符,已替换为“?”", "held control characters Excel cannot store, "
                     "replaced by '?'"),
}
"""key -> (Chinese, English) format strings."""

SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "records": ("记录数", "records"),
    "flagged_values": ("有问题的字段值", "flagged values"),
    "candidate_pairs": ("候选比对对", "candidate pairs"),
    "matched_pairs": ("判为同一人的比对对", "matched pairs"),
    "clusters_of_2_plus": ("重复组(2条及以上记录)", "duplicate groups (2+ records)"),
    "records_in_clusters": ("重复组中的记录", "records in duplicate groups"),
    "notices": ("通报", "notices"),
    "undetermined": ("本区须核实的重复组(verification.csv)", "groups this district must verify (verification.csv)"),
    "undetermined_groups": ("未能确定管理单位的重复组(decisions.csv)", "groups whose managing unit is undetermined "
                            "(decisions.csv)"),
    "records_undetermined": ("待核实重复组中的记录", "records in undetermined groups"),
    "oversized_blocks": ("超过上限未比对的分块", "oversized blocks not compared"),
    "records_in_oversized_blocks": ("超大分块中的记录", "records in oversized blocks"),
    "records_left": ("左表记录数", "records of LEFT"),
    "records_right": ("右表记录数", "records of RIGHT"),
    "links": ("匹配的记录对", "links"),
    "unmatched_left": ("左表未匹配记录", "unmatched records of LEFT"),
    "unmatched_right": ("右表未匹配记录", "unmatched records of RIGHT"),
    "active_records": ("在管记录数", "active records"),
    "duplicates": ("重复记录", "duplicate records"),
    "separated": ("人户分离", "separated"),
    "transfer_out": ("应迁出", "to transfer out"),
    "logic_errors": ("逻辑错误", "logic errors"),
    "logic_warnings": ("逻辑警告", "logic warnings"),
    "illegal_birth_issues": ("违法生育上报问题", "illegal-birth report issues"),
    "missing": ("漏管育龄妇女", "unregistered women"),
    "spot_check_sample": ("抽查样本", "spot-check sample"),
    "streets": ("街道数", "streets"),
    "checked": ("已抽查", "checked"),
    "errors": ("错误", "errors"),
    "unreadable_marks": ("无法识别的标记", "unreadable marks"),
    "district_error_rate": ("全区差错率", "district error rate"),
}
"""A run summary's key -> (Chinese, English) label saying what it counts."""


def set_language(language: str) -> None:
    """'zh' (the default) or 'en' for every message shown from now on."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    _language = language


def language() -> str:
    return _language


def text(key: str, **fields: object) -> str:
    """The message ``key`` in the current language, formatted with ``fields``."""
    chinese, english = MESSAGES[key]
    return (english if _language == "en" else chinese).format(**fields)


def label(key: str) -> str:
    """What a run summary's count ``key`` counts, in the current language (the key itself if unknown)."""
    pair = SUMMARY_LABELS.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[1] if _language == "en" else pair[0]


def rows_text(positions: list[int], *, offset: int = 2, labels: list[str] | None = None) -> str:
    """Where rows are, at most ten: '第3、5行' / 'row(s) 3, 5'.  positions: frame positions;
    offset: the spreadsheet row of position 0 (the header is row 1 -> 2); labels: a label per
    frame position (a workbook split over sheets: '工作表“二街道”第7行') used instead."""
    shown_rows = positions[:10]
    if labels is not None:
        shown = ("; " if _language == "en" else ";").join(labels[p] for p in shown_rows)
    else:
        shown = text("rows.list", rows=(", " if _language == "en" else "、").join(str(p + offset) for p in shown_rows))
    return text("rows.more", shown=shown, more=len(positions) - 10) if len(positions) > 10 else shown
