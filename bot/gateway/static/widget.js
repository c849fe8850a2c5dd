/* 知识产权维权助手 — chat page and embeddable widget, one script.
 *
 *   <script src="https://GATEWAY/widget.js" data-title="知识产权维权助手" data-color="#1a5fb4" async></script>
 *     adds a floating chat button to any page (its origin must be in the gateway's WIDGET_ORIGINS);
 *   <script src="/widget.js" data-mode="inline" data-target="chat"></script>
 *     renders the chat into #chat (the gateway's own page).
 *
 * Every user and bot text is shown with textContent: nothing received is ever parsed as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var gateway = (script.getAttribute("data-gateway") || new URL(script.src, location.href).origin).replace(/\/$/, "");
  var mode = script.getAttribute("data-mode") || "floating";
  var title = script.getAttribute("data-title") || "知识产权维权助手";
  var color = script.getAttribute("data-color") || "#1a5fb4";
  var SUGGESTIONS = ["贵州企业海外维权找谁？", "有人在网上卖我们品牌的假货怎么办", "西藏驰名商标有奖励吗", "你们覆盖哪些地区"];
  var DISCLAIMER = "仅供参考，不构成法律意见。";
  var STORE = "ipr-chat:" + gateway;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // Conversation per browser tab: sessionStorage survives a reload, not a new tab. The id is issued (and signed)
  // by the gateway on the first message; a client cannot choose it.
  function loadState() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.log)) { return saved; }
    } catch (ignored) { /* a broken entry starts a new conversation */ }
    return { sender: "", log: [] };
  }

  function createChat(root, options) {
    var state = loadState();
    var maxChars = 500;
    var busy = false;

    var panel = el("section", "ipr-panel");
    panel.setAttribute("aria-label", options.title);
    var header = el("header", "ipr-header");
    header.appendChild(el("span", "ipr-title", options.title));
    panel.appendChild(header);
    var log = el("div", "ipr-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    panel.appendChild(log);
    var chips = el("div", "ipr-chips");
    panel.appendChild(chips);
    var form = el("form", "ipr-form");
    var input = el("textarea", "ipr-input");
    input.setAttribute("rows", "2");
    input.setAttribute("maxlength", String(maxChars));
    input.setAttribute("placeholder", "请描述您遇到的知识产权问题…");
    input.setAttribute("aria-label", "输入问题");
    var counter = el("span", "ipr-counter", "0/" + maxChars);
    var sendButton = el("button", "ipr-send", "发送");
    sendButton.type = "submit";
    form.appendChild(input);
    form.appendChild(counter);
    form.appendChild(sendButton);
    panel.appendChild(form);
    var viewer = el("div", "ipr-viewer");
    viewer.hidden = true;
    panel.appendChild(viewer);
    root.appendChild(panel);

    function save() {
      try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (ignored) { /* storage full or off */ }
    }

    function scroll() { log.scrollTop = log.scrollHeight; }

    function renderEntry(entry) {
      var bubble = el("div", "ipr-msg ipr-" + entry.who);
      bubble.appendChild(el("div", "ipr-text", entry.text));
      if (entry.citations && entry.citations.length) {
        var refs = el("div", "ipr-citations");
        entry.citations.forEach(function (c) {
          var link = el("button", "ipr-citation", "查看原文：" + c.title);
          link.type = "button";
          link.addEventListener("click", function () { openClause(c.ref); });
          refs.appendChild(link);
        });
        bubble.appendChild(refs);
      }
      if (entry.buttons && entry.buttons.length) {
        var replies = el("div", "ipr-quick");
        entry.buttons.forEach(function (b) {
          var quick = el("button", "ipr-quick-reply", b.title);
          quick.type = "button";
          quick.addEventListener("click", function () { send(b.payload, b.title); });
          replies.appendChild(quick);
        });
        bubble.appendChild(replies);
      }
      if (entry.retry) {
        var retry = el("button", "ipr-retry", "重试");
        retry.type = "button";
        retry.addEventListener("click", function () {
          bubble.remove();
          state.log = state.log.filter(function (e) { return e !== entry; });
          save();
          send(entry.retry.message, entry.retry.shown, true);
        });
        bubble.appendChild(retry);
      }
      log.appendChild(bubble);
      scroll();
      return bubble;
    }

    function add(entry) {
      state.log.push(entry);
      if (state.log.length > 200) { state.log = state.log.slice(-200); }
      save();
      return renderEntry(entry);
    }

    function welcome(info) {
      var lines = ["您好！我是知识产权维权助手。我会根据以下已收录的知识产权保护实施方案回答，并注明出处和牵头部门："];
      (info.plans || []).forEach(function (p) {
        lines.push("· " + p.region + "：" + p.title + "（" + p.level + "，" + p.status + "，" + p.dated + "）");
      });
      lines.push(DISCLAIMER);
      if (info.privacy) { lines.push(info.privacy); }  // how long we keep what the user tells us (PIPL)
      renderEntry({ who: "bot", text: lines.join("\n") });
    }

    function typing(on) {
      var existing = log.querySelector(".ipr-typing");
      if (on && !existing) {
        var dots = el("div", "ipr-msg ipr-bot ipr-typing");
        dots.setAttribute("aria-label", "正在输入");
        dots.appendChild(el("span", "ipr-dot"));
        dots.appendChild(el("span", "ipr-dot"));
        dots.appendChild(el("span", "ipr-dot"));
        log.appendChild(dots);
        scroll();
      } else if (!on && existing) {
        existing.remove();
      }
    }

    function send(message, shown, isRetry) {
      message = (message || "").trim();
      if (!message || busy) { return; }
      if (message.length > maxChars) {
        add({ who: "system", text: "问题太长了，请控制在" + maxChars + "字以内。" });
        return;
      }
      if (!isRetry) { add({ who: "user", text: shown || message }); }
      chips.hidden = true;  // suggestions are for the first question
      busy = true;
      sendButton.disabled = true;
      typing(true);
      function conversation(renew) {
        if (state.sender && !renew) { return Promise.resolve(state.sender); }
        return fetch(gateway + "/api/conversations", { method: "POST" }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok || !body.conversation) {
              var failure = new Error(body.error || "服务暂时不可用（" + response.status + "）");
              failure.status = response.status;
              throw failure;
            }
            state.sender = body.conversation;
            save();
            return state.sender;
          });
        });
      }
      function post(sender) {
        return fetch(gateway + "/api/chat", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ sender: sender, message: message })
        });
      }
      conversation(false).then(post).then(function (response) {
        // An id the gateway no longer knows (its secret changed): take a new one and send again, once.
        if (response.status === 400 && response.headers.get("X-Conversation-Invalid")) {
          return conversation(true).then(post);
        }
        return response;
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var failure = new Error(body.error || "服务暂时不可用（" + response.status + "）");
            failure.status = response.status;
            throw failure;
          }
          return body;
        });
      }).then(function (body) {
        var citations = [];
        (body.messages || []).forEach(function (m) {
          if (m.custom && Array.isArray(m.custom.citations)) { citations = citations.concat(m.custom.citations); }
        });
        var texts = (body.messages || []).filter(function (m) { return m.text; });
        texts.forEach(function (m, i) {
          add({ who: "bot", text: m.text, buttons: m.buttons || [],
                citations: i === texts.length - 1 ? citations : [] });
        });
      }).catch(function (error) {
        var text = error && error.message && error.message.indexOf("Failed to fetch") === -1 && error.name !== "TypeError"
          ? error.message : "网络异常，消息未能送达。";
        // Worth retrying by itself: the network, the assistant restarting (5xx) or a rate limit; not a 4xx like
        // "too long", which only the user can fix.
        var transient = !error.status || error.status >= 500 || error.status === 429;
        var automatic = transient && !isRetry;
        var entry = { who: "system", text: text + (automatic ? "（将在5秒后自动重试）" : ""),
                      retry: transient ? { message: message, shown: shown } : null };
        var errorBubble = add(entry);
        if (automatic) {  // once: Rasa restarting or a network blip usually passes in seconds
          setTimeout(function () {
            if (state.log.indexOf(entry) === -1 || busy) { return; }  // already retried by hand, or mid-send
            state.log = state.log.filter(function (e) { return e !== entry; });
            save();
            errorBubble.remove();
            send(message, shown, true);
          }, 5000);
        }
      }).then(function () {
        typing(false);
        busy = false;
        sendButton.disabled = false;
      });
    }

    function openClause(ref) {
      viewer.textContent = "";
      viewer.hidden = false;
      var close = el("button", "ipr-close", "关闭");
      close.type = "button";
      close.addEventListener("click", function () { viewer.hidden = true; });
      viewer.appendChild(close);
      var body = el("div", "ipr-viewer-body", "正在加载…");
      viewer.appendChild(body);
      fetch(gateway + "/api/clauses/" + ref.split("/").map(encodeURIComponent).join("/"))
        .then(function (r) { return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error); } return data; }); })
        .then(function (c) {
          body.textContent = "";
          var heading = c.label.indexOf(c.title) === -1 ? c.label + " " + c.title : c.label;
          body.appendChild(el("h3", "ipr-viewer-title", c.region + " " + heading));
          body.appendChild(el("p", "ipr-viewer-doc", c.document.title + "（" + c.document.level + "，" + c.document.status + "，" + c.document.dated + "）"));
          body.appendChild(el("p", "ipr-viewer-text", c.text));
          if (c.agencies.length) {
            var byRole = {};
            var roles = [];
            c.agencies.forEach(function (a) {
              if (!byRole[a.role]) { byRole[a.role] = []; roles.push(a.role); }
              byRole[a.role].push(a.name);
            });
            body.appendChild(el("p", "ipr-viewer-agencies",
              roles.map(function (role) { return role + "：" + byRole[role].join("、"); }).join("；")));
          } else if (c.no_agency) {
            body.appendChild(el("p", "ipr-viewer-agencies", "原文未列明牵头或责任单位。"));
          }
          if (c.deadline) { body.appendChild(el("p", "ipr-viewer-deadline", "时限：" + c.deadline)); }
          body.appendChild(el("p", "ipr-viewer-citation", "出处：" + c.citation));
          if (c.history && c.history.length) {  // the plan was revised: each version and what changed into it
            body.appendChild(el("h4", "ipr-viewer-history-title", "本条的版本"));
            var versions = el("ul", "ipr-viewer-history");
            c.history.forEach(function (h) {
              var changes = h.changes && h.changes.length ? "：" + h.changes.join("；") : "";
              versions.appendChild(el("li", "", h.version + (h.in_force ? "（现行）" : "") + (h.ref ? "" : "（已删除）") + changes));
            });
            body.appendChild(versions);
          }
        })
        .catch(function (error) { body.textContent = (error && error.message) || "原文加载失败，请重试。"; });
    }

    SUGGESTIONS.forEach(function (s) {
      var chip = el("button", "ipr-chip", s);
      chip.type = "button";
      chip.addEventListener("click", function () { send(s); });
      chips.appendChild(chip);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      input.value = "";
      counter.textContent = "0/" + maxChars;
      send(text);
    });
    input.addEventListener("input", function () { counter.textContent = input.value.length + "/" + maxChars; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });

    fetch(gateway + "/api/info").then(function (r) { return r.json(); }).then(function (info) {
      if (info.max_message_chars) { maxChars = info.max_message_chars; input.setAttribute("maxlength", String(maxChars)); }
      welcome(info);
      state.log.forEach(renderEntry);
      chips.hidden = state.log.some(function (e) { return e.who === "user"; });
    }).catch(function () {
      renderEntry({ who: "system", text: "暂时无法连接到助手，请检查网络后刷新页面。" });
      state.log.forEach(renderEntry);
    });
    return { send: send };
  }

  function floating() {
    var host = el("div");
    host.setAttribute("data-ipr-widget", "");
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: "open" });
    var css = el("link");
    css.rel = "stylesheet";
    css.href = gateway + "/static/chat.css";
    shadow.appendChild(css);
    var frame = el("div", "ipr-floating");
    frame.style.setProperty("--ipr-color", color);
    var toggle = el("button", "ipr-launcher", "咨询");
    toggle.type = "button";
    toggle.setAttribute("aria-label", "打开" + title);
    var box = el("div", "ipr-box");
    box.hidden = true;
    frame.appendChild(box);
    frame.appendChild(toggle);
    shadow.appendChild(frame);
    var chat = null;
    toggle.addEventListener("click", function () {
      box.hidden = !box.hidden;
      toggle.textContent = box.hidden ? "咨询" : "收起";
      if (!chat) { chat = createChat(box, { title: title }); }
    });
  }

  if (mode === "inline") {
    var target = document.getElementById(script.getAttribute("data-target") || "chat");
    target.style.setProperty("--ipr-color", color);
    createChat(target, { title: title });
  } else if (document.body) {
    floating();
  } else {
    document.addEventListener("DOMContentLoaded", floating);
  }
})();
