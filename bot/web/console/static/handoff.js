// The handoff conversation page: the citizen's new messages appear without reloading (a poll of
// /console/handoff/<id>/messages), and the reply box counts characters against the limit.
// Everything received is shown as text (textContent), never parsed as markup. The poll pauses when
// nobody has used the page for almost the session's idle limit, so an unattended page does not
// stay signed in; a button resumes it.
(() => {
  "use strict";

  const replyText = document.getElementById("reply-text");
  const replyCount = document.getElementById("reply-count");
  if (replyText && replyCount) {
    const limit = Number(replyText.dataset.limit) || 2000;
    const count = () => {
      const used = replyText.value.trim().length;
      replyCount.textContent = used > limit
        ? "已超出 " + (used - limit) + " 字（最多 " + limit + " 字），请删减或分几次发送"
        : used + " / " + limit + " 字";
      replyCount.classList.toggle("over", used > limit);
    };
    replyText.addEventListener("input", count);
    count();
  }

  const history = document.getElementById("history");
  if (!history || !history.dataset.poll) {
    return;
  }
  const url = history.dataset.poll;
  const seconds = Number(history.dataset.seconds) || 3;
  const stateBadge = document.getElementById("handoff-state");
  const status = document.getElementById("poll-status");
  const resume = document.getElementById("poll-resume");
  const idleMs = (Number(history.dataset.idleSeconds) || 1740) * 1000;
  let lastActivity = Date.now();
  const title = document.title;
  let after = Number(history.dataset.after) || 0;
  let stopped = history.dataset.state === "closed";
  let unseen = 0;

  function line(message) {
    const item = document.createElement("li");
    item.className = "line line-" + message.author;
    item.dataset.id = String(message.id);
    const head = document.createElement("div");
    head.className = "line-head";
    const who = document.createElement("span");
    who.className = "line-who";
    who.textContent = message.label;
    const time = document.createElement("time");
    time.textContent = message.at;
    head.append(who, " ", time);
    const text = document.createElement("div");
    text.className = "line-text";
    text.textContent = message.text;
    item.append(head, text);
    return item;
  }

  function showEnded() {
    stopped = true;
    for (const id of ["reply-form", "take-form", "close-form"]) {
      const form = document.getElementById(id);
      if (form) {
        for (const control of form.querySelectorAll("button, textarea")) {
          control.disabled = true;
        }
      }
    }
    status.textContent = "这次人工服务已经结束，市民之后的消息由智能助手答复。";
  }

  async function poll() {
    try {
      const response = await fetch(url + "?after=" + after, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      if (response.status === 401) {
        stopped = true;
        status.textContent = "登录已过期，请刷新页面重新登录。";
        return;
      }
      if (!response.ok) {
        status.textContent = "暂时无法获取新消息（" + response.status + "），稍后自动重试。";
        return;
      }
      const body = await response.json();
      const empty = history.querySelector(".line-empty");
      for (const message of body.messages) {
        if (message.id <= after) {
          continue;
        }
        if (empty) {
          empty.remove();
        }
        history.append(line(message));
        after = message.id;
        if (message.author === "citizen") {
          unseen += 1;
        }
      }
      if (body.messages.length) {
        history.lastElementChild.scrollIntoView({ block: "nearest" });
      }
      if (unseen && document.hidden) {
        document.title = "（" + unseen + " 条新消息）" + title;
      }
      if (stateBadge) {
        stateBadge.textContent = body.state_label;
      }
      status.textContent = "";
      if (body.state === "closed") {
        showEnded();
      }
    } catch (error) {
      status.textContent = "网络中断，暂时收不到新消息，稍后自动重试。";
    } finally {
      schedule();
    }
  }

  function schedule() {
    if (stopped) {
      return;
    }
    if (Date.now() - lastActivity > idleMs) {
      status.textContent = "长时间未操作，已暂停接收新消息。";
      resume.hidden = false;
      return;
    }
    window.setTimeout(poll, seconds * 1000);
  }

  for (const event of ["keydown", "pointerdown", "input", "focus"]) {
    window.addEventListener(event, () => { lastActivity = Date.now(); }, true);
  }
  resume.addEventListener("click", () => {
    resume.hidden = true;
    status.textContent = "";
    lastActivity = Date.now();
    poll();
  });

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      unseen = 0;
      document.title = title;
    }
  });
  schedule();
})();
