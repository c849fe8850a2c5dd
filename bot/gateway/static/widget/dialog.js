/* dialog.js: one chat — its panel (header, log, typing dots, input, disclaimer, viewer), the keyboard, and sending:
 * one request at a time, later messages wait in a queue (and are shown at once). createChat makes the chat object
 * every part's functions take: its settings, its state and the elements they write to. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, uid = IPR.core.uid;

  function createChat(root, options) {
    var chat = {
      options: options,
      state: IPR.core.loadState(),
      maxChars: 500,
      busy: false,
      queue: [],          // messages typed while an answer loads: shown at once, sent in order
      liveReplies: [],    // quick-reply groups that can still be chosen
      reasons: [],        // the "哪里没帮上？" choices, from /api/info
      stream: null,       // an operator's replies (transport.js)
      viewerOpener: null,
      lastReplyStart: null  // the first bubble of the latest reply (shown from its start on reopening)
    };

    var panel = chat.panel = el("section", "ipr-panel");
    var titleId = uid("ipr-title");
    panel.setAttribute("aria-labelledby", titleId);
    var header = el("header", "ipr-header");
    if (options.logo) {
      var img = el("img", "ipr-logo");
      img.src = options.logo;
      img.alt = "";
      header.appendChild(img);
    }
    var heading = chat.heading = el("div", "ipr-heading");
    var titleNode = el(options.headingLevel || "h2", "ipr-title", options.title);
    titleNode.id = titleId;
    heading.appendChild(titleNode);
    if (options.subtitle) { heading.appendChild(el("p", "ipr-subtitle", options.subtitle)); }
    header.appendChild(heading);
    (options.headerButtons || []).forEach(function (b) { header.appendChild(b); });
    panel.appendChild(header);
    var log = chat.log = el("div", "ipr-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "对话记录");
    log.tabIndex = 0;  // scrollable: reachable by keyboard
    panel.appendChild(log);
    var typingBox = chat.typingBox = el("div", "ipr-typing");
    typingBox.setAttribute("role", "status");
    typingBox.hidden = true;
    var dots = el("span", "ipr-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span", "ipr-dot"));
    dots.appendChild(el("span", "ipr-dot"));
    dots.appendChild(el("span", "ipr-dot"));
    typingBox.appendChild(dots);
    chat.typingText = el("span", "ipr-sr-only", "");
    typingBox.appendChild(chat.typingText);
    panel.appendChild(typingBox);
    var form = el("form", "ipr-form");
    var inputId = uid("ipr-input");
    var inputLabel = el("label", "ipr-sr-only", "输入您的问题");
    inputLabel.htmlFor = inputId;
    var input = chat.input = el("textarea", "ipr-input");
    input.id = inputId;
    input.setAttribute("rows", "2");
    input.setAttribute("maxlength", String(chat.maxChars));
    input.setAttribute("placeholder", "请描述您遇到的知识产权问题…");
    var counter = el("span", "ipr-counter", "0/" + chat.maxChars);
    counter.setAttribute("aria-hidden", "true");
    var sendButton = chat.sendButton = el("button", "ipr-send", "发送");
    sendButton.type = "submit";
    form.appendChild(inputLabel);
    form.appendChild(input);
    form.appendChild(counter);
    form.appendChild(sendButton);
    panel.appendChild(form);
    chat.note = options.note ? panel.appendChild(el("p", "ipr-note", "")) : null;  // the disclaimer, from /api/info
    var viewer = chat.viewer = el("div", "ipr-viewer");
    chat.viewerTitleId = uid("ipr-viewer-title");
    viewer.setAttribute("role", "dialog");
    viewer.setAttribute("aria-modal", "true");
    viewer.setAttribute("aria-labelledby", chat.viewerTitleId);
    viewer.hidden = true;
    panel.appendChild(viewer);
    root.appendChild(panel);
    IPR.viewer.attach(chat);

    /* ---- input ---- */

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) { return; }
      input.value = "";
      counter.textContent = "0/" + chat.maxChars;
      send(chat, text);
    });
    input.addEventListener("input", function () { counter.textContent = input.value.length + "/" + chat.maxChars; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });

    IPR.welcome.load(chat);
    return {
      send: function (message, shown, isRetry, quiet) { send(chat, message, shown, isRetry, quiet); },
      input: input,
      reveal: function () { if (chat.lastReplyStart) { IPR.render.scrollToStart(chat, chat.lastReplyStart); } },
      greet: function () { if (!chat.state.log.length) { log.scrollTop = 0; } }  // a new chat opens at its greeting
    };
  }

  function typing(chat, on) {
    chat.typingBox.hidden = !on;
    chat.typingText.textContent = on ? "助手正在回答…" : "";
  }

  /* ---- sending: one request at a time, later messages wait in a queue (and are shown at once) ---- */

  function send(chat, message, shown, isRetry, quiet) {
    message = (message || "").trim();
    if (!message) { return; }
    if (message.length > chat.maxChars) {
      IPR.render.add(chat, { who: "system", text: "问题太长了，请控制在" + chat.maxChars + "字以内。" });
      return;
    }
    if (!quiet) { IPR.render.spendAll(chat); }
    var bubble = null;
    if (!isRetry && !quiet) {
      bubble = IPR.render.add(chat, { who: "user", text: shown || message });
      if (chat.busy) {
        bubble.classList.add("ipr-queued");
        bubble.appendChild(el("span", "ipr-queued-note", "等待发送"));
      }
    }
    chat.queue.push({ message: message, shown: shown, isRetry: isRetry, bubble: bubble, quiet: quiet });
    pump(chat);
  }

  function pump(chat) {
    if (chat.busy || !chat.queue.length) { return; }
    var job = chat.queue.shift();
    if (job.bubble) {
      job.bubble.classList.remove("ipr-queued");
      var note = job.bubble.querySelector(".ipr-queued-note");
      if (note) { note.remove(); }
    }
    chat.busy = true;
    typing(chat, true);
    IPR.render.scrollToEnd(chat);
    IPR.transport.request(chat, job).then(function () {
      typing(chat, false);
      chat.busy = false;
      pump(chat);
    });
  }

  IPR.dialog = { createChat: createChat, send: send };
})(IPR);
