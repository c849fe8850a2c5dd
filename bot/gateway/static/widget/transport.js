/* transport.js: the gateway's chat API — the conversation id, sending a message (with its retries), the
 * 哪里没帮上 reason, and an operator's reply pushed while the page is open. */
(function (IPR) {
  "use strict";
  var save = IPR.core.save;

  function conversation(chat, renew) {
    var state = chat.state;
    if (state.sender && !renew) { return Promise.resolve(state.sender); }
    return fetch(IPR.config.gateway + "/api/conversations", { method: "POST" }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || !body.conversation) {
          var failure = new Error(body.error || "服务暂时不可用（" + response.status + "）");
          failure.status = response.status;
          throw failure;
        }
        state.sender = body.conversation;
        save(chat);
        listen(chat);
        return state.sender;
      });
    });
  }

  function request(chat, job) {
    var message = job.message, shown = job.shown, isRetry = job.isRetry;
    function post(sender) {
      return fetch(IPR.config.gateway + "/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender, message: message })
      });
    }
    return conversation(chat, false).then(post).then(function (response) {
      // An id the gateway no longer knows (its secret changed): take a new one and send again, once.
      if (response.status === 400 && response.headers.get("X-Conversation-Invalid")) {
        return conversation(chat, true).then(post);
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
      IPR.render.showReply(chat, body.messages || [], job.quiet);
    }).catch(function (error) {
      var text = error && error.message && error.message.indexOf("Failed to fetch") === -1 && error.name !== "TypeError"
        ? error.message : "网络异常，消息未能送达。";
      // Worth retrying by itself: the network, the assistant restarting (5xx) or a rate limit; not a 4xx like
      // "too long", which only the user can fix.
      var transient = !error.status || error.status >= 500 || error.status === 429;
      var automatic = transient && !isRetry;
      var entry = { who: "system", text: text + (automatic ? "（将在5秒后自动重试）" : ""),
                    retry: transient ? { message: message, shown: shown } : null };
      var errorBubble = IPR.render.add(chat, entry);
      if (automatic) {  // once: Rasa restarting or a network blip usually passes in seconds
        setTimeout(function () {
          if (chat.state.log.indexOf(entry) === -1) { return; }  // already retried by hand
          chat.state.log = chat.state.log.filter(function (e) { return e !== entry; });
          save(chat);
          errorBubble.remove();
          IPR.dialog.send(chat, message, shown, true);
        }, 5000);
      }
    });
  }

  function postReason(chat, reason, attempt) {
    fetch(IPR.config.gateway + "/api/feedback-reason", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: chat.state.sender, reason: reason })
    }).then(function (response) {
      // the 没用 itself may still be on its way: once more a moment later
      if (response.status === 404 && attempt < 2) { setTimeout(function () { postReason(chat, reason, attempt + 1); }, 1500); }
    }).catch(function () { /* optional: a lost reason costs the user nothing */ });
  }

  /* ---- an operator's reply, pushed by the gateway (server-sent events) while the page is open ---- */

  function listen(chat) {
    var state = chat.state;
    if (chat.stream) { chat.stream.close(); chat.stream = null; }  // a renewed conversation id: the old stream is for the old id
    if (!state.sender || !window.EventSource) { return; }
    var stream = chat.stream = new EventSource(IPR.config.gateway + "/api/chat/events?conversation=" +
                                               encodeURIComponent(state.sender) +
                                               "&since=" + encodeURIComponent(state.pushedAt || "0"));
    stream.addEventListener("reply", function (event) {
      var data = null;
      try { data = JSON.parse(event.data); } catch (ignored) { return; }
      // once per reply, also after a reload (pushedAt is kept with the conversation)
      if (!data || typeof data.reply !== "string" || !(Number(data.at) > Number(state.pushedAt || 0))) { return; }
      state.pushedAt = String(data.at);
      var bubble = IPR.render.add(chat, { who: "bot", kind: "operator", operator: String(data["case"] || ""), text: data.reply });
      chat.lastReplyStart = bubble;
      IPR.render.scrollToStart(chat, bubble);
      if (chat.options.onReply) { chat.options.onReply(); }
    });
    stream.addEventListener("error", function () {
      // Refused (too many pages open here, or an id the gateway no longer knows): try again in a while; the
      // browser itself reconnects a stream that was merely cut.
      if (chat.stream && chat.stream.readyState === 2) { chat.stream = null; setTimeout(function () { listen(chat); }, 30000); }
    });
  }

  IPR.transport = { conversation: conversation, request: request, postReason: postReason, listen: listen };
})(IPR);
