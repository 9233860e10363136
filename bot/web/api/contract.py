"""The bank API's published contract: where it is served and what its OpenAPI document says
about itself. The partner banks build against this text, so it changes only with the contract."""

from __future__ import annotations

TITLE = "青岛社保卡合作银行工单接口"
API_PREFIX = "/api/bank"
VERSION = "1.0.0"

DESCRIPTION = """\
青岛市社会保障卡合作银行工单接口（依据《青岛市社会保障卡经办服务监督管理办法》）。

**认证**：每家合作银行使用 `sbk bank register` 发放的本行 API 密钥，放在请求头
`Authorization: Bearer <api_key>` 中。缺少或无效的密钥返回 401。每家银行只能看到本行的工单；
其他银行的工单与不存在的工单一样返回 404。

**操作**：签收工单；反馈处理过程和结果；申请延期（须不迟于到期日前1个工作日提出，第九条）；
对核查结论提出异议（须在5日内，第五十三条）。

**错误**：所有 4xx 响应的格式均为 `{"detail": {"message": "中文说明", "field": "出错的字段或 null"}}`。
422 请求不合法，409 工单状态或期限不允许，404 没有这个工单，401 密钥问题，413 请求体过大。

**个人信息**：事情经过中的身份证号、电话等已遮蔽；市民同意被联系时才提供其联系方式（第九条、第五十一条）。

**工单推送（webhook）**：新的或升级为督办的工单以 JSON `POST` 到本行登记的地址，请求头
`X-SBK-Event`（如 `ticket.created`、`ticket.escalated`）、`X-SBK-Delivery`（投递编号，重试时不变，可用于去重）、
`X-SBK-Signature: sha256=<以本行 webhook_secret 对原始请求体计算的 HMAC-SHA256 十六进制值>`；
未收到 2xx 响应时按退避策略重试。
"""
