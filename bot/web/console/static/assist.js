// The assist page: the caller's words are analysed as the operator types (debounced), the
// server renders every panel (escaped) and this script only swaps them in and pre-fills the
// ticket and notice forms. Also the print button of the one-time notice sheet.
(() => {
  "use strict";

  const printButton = document.getElementById("print-sheet");
  if (printButton) {
    printButton.addEventListener("click", () => window.print());
  }

  const root = document.getElementById("assist");
  if (!root) {
    return;
  }

  const DEBOUNCE_MS = 300;
  const MAX_SENT = 20; // utterances sent per analysis (the request body is capped)
  const MAX_CHARS = 600; // per utterance; the server reads 500 and says when it cut
  const csrf = root.dataset.csrf;
  const utteranceForm = document.getElementById("utterance-form");
  const input = document.getElementById("utterance");
  const status = document.getElementById("analysis-status");
  const analysisBox = document.getElementById("analysis");
  const intentChoice = document.getElementById("intent-choice");
  const callerForm = document.getElementById("caller-form");
  const callerPhone = document.getElementById("caller-phone");
  const callerHistory = document.getElementById("caller-history");
  const ticketPanel = document.getElementById("ticket-panel");
  const noticePanel = document.getElementById("notice-panel");
  const noticeMatter = document.getElementById("notice-matter");
  const noticePhone = document.getElementById("notice-phone");

  const utterances = [];
  let chosenIntent = "";
  let timer = null;
  let controller = null;
  let sequence = 0;

  // No "text/html" in Accept: a signed-out or expired session then answers 401 with a message
  // the page can show, instead of a redirect to the sign-in page that would land in a panel.
  function headers(extra) {
    return Object.assign({ "X-CSRF-Token": csrf, "X-Assist-Fragment": "1", Accept: "*/*" }, extra || {});
  }

  async function failureMessage(response) {
    try {
      const body = await response.json();
      if (body && body.detail && body.detail.message) {
        return body.detail.message;
      }
    } catch (error) {
      // not JSON: the generic message below
    }
    return "请求没有成功（" + response.status + "），请稍后重试";
  }

  // A panel the server rendered (also for a refused form, 422), as opposed to an error message.
  function isPanel(response) {
    return (response.ok || response.status === 422) &&
      (response.headers.get("Content-Type") || "").startsWith("text/html");
  }

  function showStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("status-error", Boolean(isError));
  }

  // ------------------------------------------------------------------ analysis

  async function analyze() {
    const mine = ++sequence;
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    showStatus("分析中…", false);
    const body = {
      draft: input.value.slice(0, MAX_CHARS),
      utterances: utterances.slice(-MAX_SENT).map((text) => text.slice(0, MAX_CHARS)),
      intent: chosenIntent || null,
    };
    try {
      const response = await fetch("/console/assist/analyze", {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (mine !== sequence) {
        return;
      }
      if (!isPanel(response) || !response.ok) {
        showStatus(await failureMessage(response), true);
        return;
      }
      const html = await response.text();
      if (mine !== sequence) {
        return;
      }
      analysisBox.innerHTML = html; // rendered and escaped by the server
      showStatus("", false);
      prefill();
    } catch (error) {
      if (error.name !== "AbortError") {
        showStatus("网络连接失败，请稍后重试", true);
      }
    }
  }

  function analyzeSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(analyze, DEBOUNCE_MS);
  }

  function analyzeNow() {
    window.clearTimeout(timer);
    analyze();
  }

  function addUtterance() {
    const text = input.value.trim();
    if (!text) {
      return;
    }
    utterances.push(text);
    input.value = "";
    analyzeNow();
  }

  utteranceForm.addEventListener("submit", (event) => {
    event.preventDefault();
    addUtterance();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      addUtterance();
    }
  });
  input.addEventListener("input", analyzeSoon);

  document.getElementById("undo-utterance").addEventListener("click", () => {
    if (utterances.length) {
      utterances.pop();
      analyzeNow();
    }
  });

  document.getElementById("clear-utterances").addEventListener("click", () => {
    utterances.length = 0;
    input.value = "";
    chosenIntent = "";
    intentChoice.value = "";
    callerPhone.value = "";
    callerHistory.textContent = "";
    noticePanel.classList.remove("suggested");
    for (const field of document.querySelectorAll("#notice-form input:not([type=hidden])")) {
      field.value = "";
      delete field.dataset.dirty;
    }
    loadBlankTicketForm();
    analyzeNow();
  });

  intentChoice.addEventListener("change", () => {
    chosenIntent = intentChoice.value;
    analyzeNow();
  });

  analysisBox.addEventListener("click", (event) => {
    const guess = event.target.closest("button.guess");
    if (guess) {
      chosenIntent = guess.dataset.intent;
      intentChoice.value = chosenIntent;
      analyzeNow();
      return;
    }
    const remove = event.target.closest("button.remove-utterance");
    if (remove) {
      utterances.splice(Number(remove.dataset.index), 1);
      analyzeNow();
    }
  });

  // ------------------------------------------------------------------ pre-filling the forms

  // A field the operator has changed is theirs: analysis never overwrites it.
  function markDirty(event) {
    if (event.target.matches("input, select, textarea")) {
      event.target.dataset.dirty = "1";
    }
  }
  ticketPanel.addEventListener("input", markDirty);
  ticketPanel.addEventListener("change", markDirty);
  noticePanel.addEventListener("input", markDirty);
  noticePanel.addEventListener("change", markDirty);

  function setIfClean(id, value) {
    const field = document.getElementById(id);
    if (!field || field.dataset.dirty || value === undefined || value === null) {
      return;
    }
    if (field.tagName === "SELECT" && value && !Array.from(field.options).some((o) => o.value === value)) {
      return;
    }
    field.value = value;
  }

  function prefill() {
    const result = document.getElementById("analysis-result");
    if (!result) {
      return;
    }
    const data = result.dataset;
    setIfClean("ticket-intent", data.ticketIntent);
    setIfClean("ticket-bank", data.bank);
    setIfClean("ticket-outlet", data.outlet);
    setIfClean("ticket-district", data.district);
    const source = result.querySelector(".description-source");
    setIfClean("ticket-description", source ? source.value : "");
    if (data.noticeCase) {
      setIfClean("notice-matter", data.noticeCase);
    }
    noticePanel.classList.toggle("suggested", Boolean(data.noticeCase));
  }

  function copyCallerPhone() {
    setIfClean("ticket-phone", callerPhone.value.trim());
    setIfClean("notice-phone", callerPhone.value.trim());
  }

  // ------------------------------------------------------------------ the caller's earlier matters

  async function lookUpCaller() {
    const phone = callerPhone.value.trim();
    if (!phone) {
      callerHistory.textContent = "";
      return;
    }
    const response = await fetch(callerForm.action, {
      method: "POST",
      headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }),
      body: new URLSearchParams(new FormData(callerForm)),
      credentials: "same-origin",
    }).catch(() => null);
    if (!response) {
      callerHistory.textContent = "网络连接失败，请稍后重试";
      return;
    }
    if (isPanel(response)) {
      callerHistory.innerHTML = await response.text(); // rendered and escaped by the server
      callerPhone.setAttribute("aria-invalid", response.ok ? "false" : "true");
    } else {
      callerHistory.textContent = await failureMessage(response);
    }
  }

  callerForm.addEventListener("submit", (event) => {
    event.preventDefault();
    copyCallerPhone();
    lookUpCaller();
  });
  callerPhone.addEventListener("change", () => {
    copyCallerPhone();
    lookUpCaller();
  });

  // ------------------------------------------------------------------ one-click ticket

  async function swapTicketPanel(request) {
    const response = await request.catch(() => null);
    if (!response) {
      showStatus("网络连接失败，工单没有提交，请重试", true);
      return false;
    }
    if (isPanel(response)) {
      ticketPanel.innerHTML = await response.text(); // rendered and escaped by the server
      if (!response.ok) {
        // The form came back with the operator's own values: analysis must not overwrite them.
        for (const field of ticketPanel.querySelectorAll("input, select, textarea")) {
          field.dataset.dirty = "1";
        }
      }
      return response.ok;
    }
    showStatus(await failureMessage(response), true);
    return false;
  }

  async function loadBlankTicketForm() {
    const loaded = await swapTicketPanel(fetch("/console/assist/ticket", {
      headers: headers(), credentials: "same-origin",
    }));
    if (loaded) {
      copyCallerPhone();
      prefill();
    }
  }

  ticketPanel.addEventListener("submit", async (event) => {
    const form = event.target.closest("#ticket-form");
    if (!form) {
      return;
    }
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const created = await swapTicketPanel(fetch(form.action, {
      method: "POST",
      headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }),
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    }));
    button.disabled = false;
    if (created && callerPhone.value.trim()) {
      lookUpCaller();
    }
  });

  ticketPanel.addEventListener("click", (event) => {
    if (event.target.closest("#new-ticket")) {
      event.preventDefault();
      loadBlankTicketForm();
    }
  });

  noticeMatter.addEventListener("change", () => noticePanel.classList.remove("suggested"));
  noticePhone.addEventListener("focus", copyCallerPhone);
})();
