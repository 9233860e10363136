"""The bank API's published contract: where it is served and what its OpenAPI document says
about itself. The partner banks build against this text, so it changes only with the contract."""

from __future__ import annotations

TITLE = "青岛社保卡合作银行工单接口"
API_PREFIX = "/api/bank"
VERSION = "1.2.0"  # 1.1: self-inspection summaries (Art. 38); 1.2: the rate limit (429)

DESCRIPTION = """\
青岛市社会保障卡合作银行工单接口（依据《青岛市社会保障卡经办服务监督管理办法》）。

**认证**：每家合作银行使用 `sbk bank register` 发放的本行 API 密钥，放在请求头
`Authorization: Bearer <api_key>` 中。缺少或无效的密钥返回 401。每家银行只能看到本行的工单；
其他银行的工单与不存在的工单一样返回 404。

**操作**：签收工单；反馈处理过程和结果；申请延期（须不迟于到期日前1个工作日提出，第九条）；
对核查结论提出异议（须在5日内，第五十三条）。

**自查总结**（第三十八条）：按月、季、半年和年度报送，`POST /api/bank/self-inspections`，
`multipart/form-data`，字段 `period`（月度 `2026-11`、季度 `2026-Q3`、半年 `2026-H1`/`2026-H2`、年度 `2026`）
和 `file`（PDF、DOCX 或 XLSX，按文件内容识别，默认不超过 10 MB）。截止时间为当期次月3日17:00（北京时间），
遇节假日顺延至下一个工作日17:00。只能报送已经结束的期间；同一期间再次报送保存为新版本，是否按时以首次报送为准。
每家银行只能查看、下载本行报送的文件。

**错误**：所有 4xx 响应的格式均为 `{"detail": {"message": "中文说明", "field": "出错的字段或 null"}}`。
422 请求不合法，409 工单状态或期限不允许（或自查期间尚未结束），404 没有这个工单（或自查总结），401 密钥问题，
413 请求体或文件过大，415 文件不是 PDF、DOCX 或 XLSX，429 调用过于频繁。

**调用频率**：每家银行的密钥在每个时间窗口内可调用的次数有上限（平台配置，默认每 60 秒 120 次；所有接口共用，
各银行互不影响）；额度可一次用完，此后均匀恢复。超过上限返回 429，请求头 `Retry-After` 为须等待的整数秒数，
请求不做任何处理。

**个人信息**：事情经过中的身份证号、电话等已遮蔽；市民同意被联系时才提供其联系方式（第九条、第五十一条）。

**工单推送（webhook）**：新的或升级为督办的工单以 JSON `POST` 到本行登记的地址，请求头
`X-SBK-Event`（如 `ticket.created`、`ticket.escalated`）、`X-SBK-Delivery`（投递编号，重试时不变，可用于去重）、
`X-SBK-Signature: sha256=<以本行 webhook_secret 对原始请求体计算的 HMAC-SHA256 十六进制值>`；
未收到 2xx 响应时按退避策略重试。
"""
