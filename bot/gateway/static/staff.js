/* Staff console: search the plans, copy an answer, work through the records. Text is set with textContent only. */
(function () {
  "use strict";
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) { throw new Error(body.error || r.status); } return body; });
    });
  }
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var filled = false;
  var page = 1;

  function fillFilters(data) {
    if (filled) { return; }
    filled = true;
    document.getElementById("operator").textContent = "当前用户：" + data.operator;
    var region = document.getElementById("region");
    data.regions.forEach(function (r) { var o = el("option", null, r); o.value = r; region.appendChild(o); });
    var topic = document.getElementById("topic");
    Object.keys(data.topics).forEach(function (id) { var o = el("option", null, data.topics[id]); o.value = id; topic.appendChild(o); });
  }

  function search(event) {
    if (event) { event.preventDefault(); }
    var params = new URLSearchParams(new FormData(document.getElementById("search")));
    status.textContent = "查询中…";
    getJSON("/staff/api/search?" + params.toString()).then(function (data) {
      fillFilters(data);
      results.textContent = "";
      status.textContent = data.results.length ? "共 " + data.results.length + " 条" : "没有找到相关条款。";
      data.results.forEach(function (r) {
        var box = el("div", "result");
        box.appendChild(el("h4", null, r.region + " " + r.label));
        box.appendChild(el("div", "text", r.text));
        if (r.deadline) { box.appendChild(el("div", null, "时限：" + r.deadline)); }
        box.appendChild(el("div", "answer", r.answer));
        var copy = el("button", null, "复制答复");
        copy.type = "button";
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(r.answer).then(function () { copy.textContent = "已复制"; });
        });
        box.appendChild(copy);
        results.appendChild(box);
      });
    }).catch(function (error) { status.textContent = error.message; });
  }

  var CHANNELS = { web: "网页", wechat: "公众号", wecom: "企业微信", dingtalk: "钉钉", feishu: "飞书" };
  function channelName(channel) {
    return Object.prototype.hasOwnProperty.call(CHANNELS, channel) ? CHANNELS[channel] : (channel || "未知渠道");
  }
  function describe(record) {
    if (record.kind === "cases") {
      return record.case_number + "（" + (record.region || "未知地区") + "，" + (record.topic || "未知主题") + "，来自" +
        channelName(record.channel) + "）\n" + (record.messages || []).join("\n");
    }
    if (record.kind === "unanswered") { return record.text + "\n建议条款：" + (record.suggested || []).join("、"); }
    return record.text + "\n涉及条款：" + (record.refs || []).join("、");
  }

  function loadRecords() {
    getJSON("/staff/api/records?page=" + page).then(function (data) {
      var more = false;
      document.getElementById("page").textContent = "第 " + data.page + " 页";
      ["cases", "unanswered", "feedback"].forEach(function (kind) {
        var list = document.getElementById(kind);
        var counts = data.counts[kind];
        document.getElementById(kind + "-count").textContent = "（待处理 " + counts.open + " / 共 " + counts.total + "）";
        more = more || counts.total > data.page * data.page_size;
        list.textContent = "";
        data[kind].forEach(function (record) {
          var when = record.created_at.replace("T", " ").slice(0, 19);
          var by = record.handled_by ? "（" + record.handled_by + " 已处理）" : "";
          var item = el("li", record.handled ? "handled" : "", when + by + "\n" + describe(record));
          if (!record.handled) {
            var done = el("button", null, "标记已处理");
            done.type = "button";
            done.addEventListener("click", function () {
              fetch("/staff/api/records/" + kind + "/" + record.id + "/handled",
                    { method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "ipr-staff" } })
                .then(function (r) { if (r.ok) { item.className = "handled"; done.remove(); } });
            });
            item.appendChild(done);
          }
          list.appendChild(item);
        });
      });
      document.getElementById("previous").disabled = data.page <= 1;
      document.getElementById("next").disabled = !more;
    }).catch(function (error) { status.textContent = error.message; });
  }

  document.getElementById("search").addEventListener("submit", search);
  document.getElementById("refresh").addEventListener("click", loadRecords);
  document.getElementById("previous").addEventListener("click", function () { page = Math.max(1, page - 1); loadRecords(); });
  document.getElementById("next").addEventListener("click", function () { page += 1; loadRecords(); });
  getJSON("/staff/api/search?region=" + encodeURIComponent("贵州")).then(fillFilters).catch(function () {});
  loadRecords();
})();
