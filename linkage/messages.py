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
    "cli.model_scores": ("精确率 {precision:.3f},召回率 {recall:.3f},阈值 {threshold:.2f}",
                         "precision {precision:.3f}, recall {recall:.3f}, threshold {threshold:.2f}"),
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
    "pairs_to_judge": ("待判定的比对对(复核工作簿)", "pairs to judge (the review workbook)"),
    "judged_pairs": ("已判定的比对对", "judged pairs"),
    "old_model": ("原模型", "old model"),
    "new_model": ("新模型(交叉验证)", "new model (cross-validated)"),
    "changes_joined": ("变动:记录并入已有重复组", "changes: records that joined a group"),
    "changes_left": ("变动:记录离开重复组", "changes: records that left a group"),
    "changes_new": ("变动:新记录", "changes: new records"),
    "changes_merged": ("变动:合并的重复组", "changes: groups merged"),
    "changes_split": ("变动:拆开的重复组", "changes: groups split"),
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
    "update": ("下月运行:把新增和变动的记录并入上次运行的状态", "next month's run: apply new and changed records to an "
               "earlier run's state"),
    "update.description": ("把 NEW(新增和变动的记录;加 --full 时为整份重新导出的登记)并入 OUT 中上次运行的状态(OUT/state):"
                           "未变动的记录直接沿用,新增和变动的记录与整个登记比对,重复组编号保持不变,只对有变动的重复组重新确定"
                           "管理单位和起草通报,OUT 中已发出的通报不再重复发出。OUT2 中写出完整的结果、changes.csv 和新的状态。",
                           "Apply NEW (new and changed records, or with --full a full re-export of the register) to the "
                           "run in OUT (its OUT/state): unchanged records are reused, new and changed ones are matched "
                           "against the whole register, cluster ids are kept, decisions and notices are redone only for "
                           "the clusters that changed and no notice of OUT is sent again. OUT2 gets the complete outputs, "
                           "changes.csv and the next state."),
    "update.state": ("上次运行的文件夹(dedupe、audit 或 update 的输出)", "the folder of the earlier run (dedupe, audit "
                     "or update)"),
    "update.new": ("新增和变动的记录,或整份重新导出的登记", "the new and changed records, or the full re-export"),
    "update.out": ("本月的输出文件", "the outputs of this month"),
    "update.full": ("NEW 是整份重新导出的登记:OUT 中有而 NEW 中没有的记录视为已离开登记", "NEW is a full re-export: a "
                    "record of OUT that NEW lacks has left the register"),
    "update.as_of": ("基准日期(默认沿用上次运行的)", "reference date (default: the earlier run's)"),
    "update.district": ("本单位区县代码(默认沿用上次运行的)", "this office's district code (default: the earlier run's)"),
    "update.model": ("使用训练好的模型(JSON)代替上次运行的模型", "a trained model (JSON) instead of the earlier run's"),
    "no_state2": ("不保存 OUT2/state", "do not keep OUT2/state"),
    "review": ("列出需要人工判定的比对对,两条记录并排放在工作簿中", "the pairs a clerk should judge, side by side in a "
               "workbook"),
    "review.description": ("把 OUT 中这次运行最值得人工判定的比对对(最接近匹配阈值的、待核实组中的、可能是身份证号变更的)写入 "
                           "Excel 工作簿:两条记录并排,不同的字段标出,附模型的理由和“判定”下拉列(是同一人/不是同一人/不确定)。",
                           "Write the most informative pairs of the run in OUT (nearest the match threshold, groups sent "
                           "to verification, possible re-issued numbers) to an Excel workbook: the two records side by "
                           "side, differing fields highlighted, the model's reasons and a 判定 drop-down."),
    "review.state": ("一次运行的文件夹(dedupe、audit 或 update 的输出)", "the folder of a run (dedupe, audit or update)"),
    "review.out": ("要写出的工作簿(.xlsx)", "the workbook to write (.xlsx)"),
    "review.size": ("列出的比对对数(默认200)", "pairs to list (default 200)"),
    "review.unmasked": ("显示完整身份证号(默认遮盖部分数字)", "show whole ID numbers (default: masked)"),
    "train": ("用经办人判定过的比对对训练匹配模型", "a match model from the pairs a clerk judged"),
    "train.description": ("用判定过的比对对(填好的复核工作簿,或含 record_id_l、record_id_r、match(1/0)的CSV)在 --state "
                          "所指运行的登记上训练匹配模型,以该次运行的模型为先验;输出原模型和新模型在这些比对对上交叉验证的"
                          "精确率和召回率。",
                          "Fit a match model from judged pairs (the filled review workbook, or a CSV of record_id_l, "
                          "record_id_r, match as 1/0) over the register of the run in --state, with that run's model as "
                          "the prior; prints cross-validated precision and recall of the old and the new model."),
    "train.labels": ("判定过的比对对(.xlsx 复核工作簿或 .csv)", "the judged pairs (.xlsx review workbook or .csv)"),
    "train.state": ("这些比对对所属登记的那次运行", "the run whose register the pairs are from"),
    "train.out": ("要写出的模型(.json)", "the model to write (.json)"),
    "engine": ("local:在本进程中运行(默认);spark:在 Spark 上运行相同的步骤(需 pip install 'wis-linkage[spark]' 和 "
               "Java 17),此时 REGISTER 也可以是 parquet 文件夹", "local: this process (default); spark: the same stages "
               "on Spark (pip install 'wis-linkage[spark]', Java 17); REGISTER may then be a folder of parquet files"),
    "master": ("--engine spark 时的 Spark master(默认 local[2])", "the Spark master with --engine spark (default "
               "local[2])"),
    "explained": ("已说明的问题(record_id/记录编号、rule/规则、说明):在 findings.csv 中记为“已说明”,不计入差错;登记的"
                  "备注也可说明问题", "explained findings (record_id/记录编号, rule/规则, 说明): listed as 已说明 in "
                  "findings.csv and left out of the error counts; the register's 备注 (remarks) explain findings too"),
    "births": ("共享平台的出生信息(母亲姓名、母亲身份证号、子女出生日期、子女性别……):每条出生记为 clues.csv 中的一条线索"
               "(已上报/本单位待上报/非本单位/待核实)", "births from the shared platform (母亲姓名, 母亲身份证号, "
               "子女出生日期, 子女性别 ...): each birth is a clue in clues.csv (已上报 / 本单位待上报 / 非本单位 / 待核实)"),
    "due": ("出生线索的上报期限:过期未办的线索记为“逾期”", "the due date of the birth clues: an open clue past it is 逾期"),
    "deferrals": ("交回的延期报告表(上次运行的 deferrals.csv,已填“延期原因”和“延期至”):延期的线索以新日期为期限",
                  "the 延期报告 sheet handed back (deferrals.csv of the last run with 延期原因 and 延期至 filled in): a "
                  "deferred clue is due on its new date"),
    "deadline": ("争议的截止日期:过期仍未确定管理单位的重复组,由在WIS系统中最先登记的单位管理(以WIS系统实际数据为准),"
                 "其他单位收到通报", "the deadline for disputes: past it, a duplicate group still undetermined is kept by "
                 "the unit that registered her first in WIS (以WIS系统实际数据为准) and the others get notices"),
    "followup": ("整改复查:后来的登记改正了上次清查的哪些问题,各街道评分", "what a later register fixed of an earlier "
                 "audit (整改复查), scores per street"),
    "followup.description": ("像 linkage audit 一样清查 LATER_REGISTER,并与 EARLIER_OUT 中上次的清查比较:上次每个问题"
                             "“已整改/未整改”,每个新问题“新增”,每份通报“已办理/未办理”,区内和市内剩余的重复,各街道的整改比例"
                             "(followup.csv、notices_followup.csv、followup_summary.csv/.xlsx)。给出 --spotcheck(标记好的"
                             "三月抽查样本)或 --weights 时,各街道得到分数和名次(scores.csv)。",
                             "Audit LATER_REGISTER as 'linkage audit' does and compare it with the audit run in "
                             "EARLIER_OUT: each earlier finding 已整改 / 未整改, each new one 新增, each notice 已办理 / "
                             "未办理, the duplicates left in the district and the city, the share fixed per street "
                             "(followup.csv, notices_followup.csv, followup_summary.csv/.xlsx). With --spotcheck (the "
                             "marked March sample) or --weights, each street gets a score and rank (scores.csv)."),
    "followup.earlier": ("上次 linkage audit 运行的文件夹", "the folder of the earlier 'linkage audit' run"),
    "followup.register": ("清理后导出的登记", "the register exported after the clean-up"),
    "followup.children": ("后来的子女信息表", "the later children table (子女信息)"),
    "followup.district": ("本单位6位区县代码(GB/T 2260)", "this office's 6-digit district code (GB/T 2260)"),
    "followup.spotcheck": ("已填“correct”列的三月抽查样本:各街道的差错率计入分数", "the March spot-check sample with "
                           "'correct' filled in: its error rate per street is part of the score"),
    "followup.weights": ('评分权重 JSON,如 {{"spot_check": 0.5, "fixed": 0.3, "clues": 0.2}}', 'JSON weights of the '
                         'score, e.g. {{"spot_check": 0.5, "fixed": 0.3, "clues": 0.2}}'),
    "followup.sample": ("三月抽查每个街道抽取的记录数(默认30)", "records drawn per street for the March spot check "
                        "(default 30)"),
    "followup.no_dedupe": ("不对后来的登记查重", "skip the duplicate search of the later register"),
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


ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法:",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择:%(value)r(可选:%(choices)s)",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值:%(value)r",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义,可能是 %(matches)s",
    "one of the arguments %s is required": "须给出以下参数之一:%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}
"""argparse's own texts (usage, section titles, its error messages) in Chinese: the command line
speaks one language from --help to the last error."""


def argparse_text(message: str) -> str:
    """argparse's ``gettext``: ``message`` in the current language (argparse's English otherwise)."""
    return message if _language == "en" else ARGPARSE_ZH.get(message, message)


def use_for_argparse() -> None:
    """Make argparse read its own texts through ``argparse_text`` (argparse looks each up with the
    module-level gettext function ``argparse._`` when it formats help or an error)."""
    import argparse

    argparse._ = argparse_text
