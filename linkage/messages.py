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


def default_language() -> str:
    """'en' when the environment variable LINKAGE_LANG starts with 'en', else 'zh'."""
    return "en" if os.environ.get("LINKAGE_LANG", "").lower().startswith("en") else "zh"


_language = default_language()

MESSAGES: dict[str, tuple[str, str]] = {
    # reading files
    "file.missing": ("{path}: 文件不存在", "{path}: no such file"),
    "file.unknown_type": ("{path}: 无法识别的文件类型 {suffix!r},请使用 .csv、.xlsx 或 .parquet",
                          "{path}: unknown file type {suffix!r}; use .csv, .xlsx or .parquet"),
    "file.unreadable": ("{path}: 无法按 {kind} 格式读取({detail})", "{path}: cannot be read as {kind} ({detail})"),
    "file.bad_csv": ("{path}: 不是格式正确的CSV文件({detail})", "{path}: not a well-formed CSV file ({detail})"),
    "file.long_row": ("{path}: 第{row}行有{found}个字段,比表头的{wanted}列多;请检查该行是否多了逗号(地址等含逗号的内容应加引号)",
                      "{path}: row {row} has {found} fields, more than the header's {wanted} columns; check it for "
                      "a stray comma (a value holding a comma must be quoted)"),
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
    "out.changed": ("{path}: 这是以前的结果文件夹,但其中有文件已被改动或新增({detail});本次运行会整个替换该文件夹,"
                    "请先把要保留的文件移到别处,或另选一个文件夹", "{path}: an earlier result folder in which files "
                    "were changed or added ({detail}); a run replaces the folder whole, so move what you want to keep "
                    "elsewhere first, or choose another folder"),
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
    "stage.reading": ("读取并规范化{role}", "reading and normalising the {role}"),
    "role.register": ("登记", "register"),
    "role.extract": ("比对信息", "extract"),
    "stage.blocking": ("分块:{n:,}条记录", "blocking {n:,} records"),
    "stage.blocking_link": ("分块:{left:,} × {right:,}条记录", "blocking {left:,} x {right:,} records"),
    "stage.scoring": ("比对评分:{n:,}个候选对", "scoring {n:,} candidate pairs"),
    "stage.clustering": ("聚类", "clustering"),
    "stage.deciding": ("确定管理单位", "deciding managing units"),
    "stage.notices": ("起草通报", "drafting notices"),
    "stage.logic": ("逻辑检查", "logic checks"),
    "stage.children": ("子女与违法生育上报检查", "children and illegal-birth reports"),
    "stage.separation": ("人户分离", "household/residence separation"),
    "stage.births": ("共享平台出生信息线索", "birth clues from the shared platform"),
    "stage.missing": ("在{n}份比对信息中查找漏管妇女", "unregistered women in {n} extract(s)"),
    "stage.summary": ("清查总结与抽查样本", "summary and spot-check sample"),
    "stage.writing_step": ("写出 {file}", "writing {file}"),
    # what a file's rows are (the run summary)
    "rows.clusters": ("每条记录一行", "one row per record"),
    "rows.pairs": ("待复核的比对对", "candidate pairs for review"),
    "rows.decisions": ("每个重复组一行,含管理单位的决定", "one row per duplicate group, with its managing-unit decision"),
    "rows.notices": ("每条须注销或迁出的记录一行,同一通报共用通报编号", "a record to cancel or transfer; the rows of one notice share its notice_id"),
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
    "notices": ("通报(份)", "notices"),
    "notice_records": ("通报涉及的记录(notices.csv 行数)", "records in notices (rows of notices.csv)"),
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
    "sheets_read": ("读取的工作表", "sheets read"),
    "sheets_skipped": ("跳过的工作表(无表头)", "sheets skipped (no header)"),
    "header_row": ("表头所在行(上方标题行已跳过)", "header row (title rows above it skipped)"),
}
"""A run summary's key -> (Chinese, English) label saying what it counts."""

AUDIT_LABELS: dict[str, tuple[str, str]] = {
    key: (f"{zh}(summary.csv 合计行)", f"{en} (summary.csv's total row)") for key, (zh, en) in SUMMARY_LABELS.items()
    if key in ("records", "active_records", "duplicates", "notices", "separated", "transfer_out", "logic_errors",
               "logic_warnings", "illegal_birth_issues", "missing")}
"""The audit's counts are the summary's district total (this district's units only with --district)."""



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


def label(key: str, *, audit: bool = False) -> str:
    """What a run summary's count ``key`` counts, in the current language (the key itself if unknown);
    ``audit``: the audit's counts, which are its summary's total row."""
    pair = (AUDIT_LABELS.get(key) if audit else None) or SUMMARY_LABELS.get(key)
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


HELP: dict[str, tuple[str, str]] = {
    "prog": ("查找育龄妇女信息系统(WIS)登记中的重复和漏管记录,确定管理单位,起草通报。",
             "Find duplicate and missing records in a register of women of childbearing age (WIS), decide the "
             "managing unit, draft the notices."),
    "epilog": ("输入文件:.csv(UTF-8、带BOM的UTF-8或GB18030)、.xlsx(读取所有含表头的工作表)或 .parquet,"
               "表头可为中文或英文。退出码:0 完成,2 输入或参数有误,1 程序内部错误。",
               "Inputs: .csv (UTF-8, UTF-8 with BOM or GB18030), .xlsx (every sheet with the header) or .parquet, "
               "English or Chinese headers. Exit codes: 0 done, 2 bad input or arguments, 1 engine fault."),
    "dedupe": ("在一份登记中查找重复记录并起草通报", "find duplicates in one register and draft notices"),
    "dedupe.description": ("找出被重复登记的育龄妇女,确定每人由哪个单位管理,起草注销通报。",
                           "Find the women held more than once, decide which unit manages each, and draft the "
                           "cancellation notices."),
    "register": ("登记文件", "the register file"),
    "review_threshold": ("匹配概率达到此值的比对对列入 pairs.csv 供复核(默认0.3)",
                         "pairs at or above this probability are listed in pairs.csv for review (default 0.3)"),
    "district": ("本单位6位区县代码(GB/T 2260);决定哪些通报由本区发出",
                 "this office's 6-digit district code (GB/T 2260); decides which notices are ours"),
    "no_decide": ("只查找并聚类重复记录:不确定管理单位,不起草通报和待核实名单",
                  "find and cluster the duplicates only: no managing-unit decisions, notices or verification list"),
    "no_printable": ("不生成可打印的通报工作簿(OUT/printable 下每个接收单位一个 .xlsx)",
                     "skip the printable notice workbooks (one .xlsx per receiving unit in OUT/printable)"),
    "judged": ("经办人已判定的比对对(填好的复核工作簿或CSV):判为同一人的合并,判为不同人的永不同组(以后各次运行沿用)",
               "pairs a clerk judged (the filled review workbook or a CSV): a pair judged the same woman is a match, "
               "one judged two women never shares a cluster (kept for later runs)"),
    "no_state": ("不保存 OUT/state(下月 linkage update 所需的状态)",
                 "do not keep OUT/state (what linkage update needs for next month's run)"),
    "link": ("比对两个文件的记录", "match the records of two files"),
    "link.description": ("把 LEFT 中每条记录与 RIGHT 中同一人的记录对应起来,并列出没有对应的记录。",
                         "Match each record of LEFT with the records of RIGHT that are the same person, and list the "
                         "records that match nothing."),
    "left": ("第一个文件(如登记)", "the first file (e.g. the register)"),
    "right": ("第二个文件(如共享平台比对信息)", "the second file (e.g. a shared-platform extract)"),
    "one_to_one": ("只保留双方互为最佳候选的比对对", "keep only pairs that are each record's best candidate on both sides"),
    "rules": ("随程序提供的管理单位规则(统计口径)", "the shipped managing-unit rules (统计口径)"),
    "rules.description": ("随程序提供的管理单位规则预设。", "The managing-unit rules presets shipped with the package."),
    "show": ("打印一个预设(TOML,中英文说明),可复制修改", "print a preset (TOML, explained in Chinese and English) to copy "
             "and edit"),
    "show.description": ("打印一个预设;另存为 .toml 文件,修改后用 --rules 传入。",
                         "Print a shipped preset; save it as a .toml file, edit it and pass it to --rules."),
    "preset": ("预设名称:{names}", "the preset: {names}"),
    "out": ("存放{what}的文件夹(不存在则新建;整个文件夹由本次结果替换)",
            "folder for {what} (created if missing; replaced whole by this run's results)"),
    "out.what": ("输出文件", "the output files"),
    "threshold": ("匹配概率(0-1)达到此值即判为同一人(默认:模型推荐的阈值)",
                  "match probability (0-1) at or above which two records are the same person (default: the model's "
                  "recommended threshold)"),
    "model": ("使用训练好的模型(JSON)代替随程序提供的模型", "a trained model (JSON) to use instead of the one shipped "
              "with the package"),
    "as_of": ("清理清查的基准日期,如 2026-01-31(默认今天)", "reference date of the clean-up, e.g. 2026-01-31 "
              "(default: today)"),
    "rules_option": ("管理单位规则(统计口径):预设 default 或 couple(夫妻双方口径;'linkage rules show NAME' 可打印),"
                     "或本单位的 JSON/TOML 文件", "managing-unit rules (统计口径): a shipped preset, default or couple "
                     "(夫妻双方口径; 'linkage rules show NAME' prints one), or an office's own JSON or TOML file"),
    "quiet": ("不在标准错误输出进度", "no progress lines on standard error"),
    "lang": ("信息、帮助和运行摘要的语言:zh(中文,默认)或 en", "language of messages, help and the summary: zh "
             "(Chinese, default) or en"),
    "audit": ("清理清查:重复、逻辑错误、人户分离、漏管、总结", "the clean-up audit: duplicates, logic errors, "
              "separation, missing women, summary"),
    "audit.description": ("对一份登记做完整的人口信息清理清查:重复记录与通报、逻辑错误、子女与违法生育上报检查、人户分离、"
                          "漏管育龄妇女、各街道清查总结和抽查样本。在 OUT 中写出 findings.csv、separation.csv、"
                          "missing.csv、summary.csv、summary.xlsx、sample.csv 以及查重的结果。",
                          "Run the whole clean-up (人口信息清理清查) on a register: duplicates and notices, logic errors "
                          "(逻辑错误), children and illegal-birth report checks (违法生育), household/residence "
                          "separation (人户分离), unregistered women (漏管), the summary per street (清查总结) and the "
                          "spot-check sample (抽查). Writes findings.csv, separation.csv, missing.csv, summary.csv, "
                          "summary.xlsx, sample.csv and the dedupe outputs into OUT."),
    "audit.register": ("登记文件(育龄妇女信息)", "the register file (育龄妇女信息)"),
    "children": ("子女信息表(child_id、mother_record_id、sex、birth_date、birth_order、id_number、policy、"
                 "reported_period),用于检查出生和违法生育上报", "the children table (子女信息: child_id, "
                 "mother_record_id, sex, birth_date, birth_order, id_number, policy, reported_period) to check births "
                 "and illegal-birth reports"),
    "external": ("共享平台比对信息(公安、民政、卫健),登记格式另加 'source' 列;其中本区15-49岁、与登记无对应的妇女列入 "
                 "missing.csv。可重复或列出多个", "shared-platform extract(s) (共享平台比对信息: public security, civil "
                 "affairs, health) in the register layout plus 'source'; their women 15-49 of the district that match "
                 "no register record are listed in missing.csv. Repeat or list several"),
    "audit.district": ("本单位6位区县代码(GB/T 2260):决定哪些通报由本区发出、哪些比对信息在范围内(默认:登记中各单位所在的"
                       "所有区县)", "this office's 6-digit district code (GB/T 2260): decides which notices are ours "
                       "and which extract rows are in scope (default: every district of the register's units)"),
    "sample": ("每个街道抽查的记录数(默认30;0为不抽查)", "records drawn per street for the inspectors' spot check "
               "(default 30; 0 for none)"),
    "seed": ("抽查的随机种子:同一种子和登记抽出同一样本", "seed of the spot-check draw: the same seed and register give "
             "the same sample"),
    "options": ("替换默认阈值的检查参数 JSON,如 {example}", "JSON of the checks' thresholds replacing the defaults, "
                "e.g. {example}"),
    "no_dedupe": ("跳过查重(更快;重复记录计为0)", "skip the duplicate search (faster; duplicates are then counted as 0)"),
    "spotcheck": ("由标记好的抽查样本计算各街道差错率", "error rate per street from a marked spot-check sample"),
    "spotcheck.description": ("读回检查人员填好“correct”列(是/否、对/错、1/0、yes/no)的 sample.csv,把各街道差错率及95% "
                              "Wilson区间和全区分层估计写入 OUT/spotcheck.csv 和 OUT/spotcheck.xlsx。",
                              "Read sample.csv back with the 'correct' column filled in by the inspectors (是/否, "
                              "对/错, 1/0, yes/no) and write each street's error rate with a 95% Wilson interval, and "
                              "the district's stratified estimate, to OUT/spotcheck.csv and OUT/spotcheck.xlsx."),
    "spotcheck.sample": ("标记好的样本(audit 运行得到的 sample.csv)", "the marked sample (sample.csv of an audit run)"),
    "spotcheck.out": ("spotcheck.csv 和 spotcheck.xlsx", "spotcheck.csv and spotcheck.xlsx"),
    "spotcheck.quiet": ("为与其他命令一致而接受;spotcheck 不输出进度", "accepted for symmetry; spotcheck prints no "
                        "progress"),
}
"""--help texts: key -> (Chinese, English)."""


def help_text(key: str, *, escape: bool = True, **fields: object) -> str:
    """The --help text ``key`` in the current language; ``escape``: % doubled, as an argument's
    help needs (argparse formats those, not descriptions)."""
    chinese, english = HELP[key]
    shown = (english if _language == "en" else chinese).format(**fields)
    return shown.replace("%", "%%") if escape else shown


def describe(key: str, **fields: object) -> str:
    """A parser's description or epilog in the current language."""
    return help_text(key, escape=False, **fields)
