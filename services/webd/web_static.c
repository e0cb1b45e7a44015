/* /static/: the stylesheet and the board's script, built in (no files to
 * install, nothing inline: the CSP allows only 'self'), and the OpenAPI
 * document of /api/v1/. */
#include <string.h>

#include "web_routes.h"

static const char s_css[] =
    "body{font-family:\"Times New Roman\",Times,serif;margin:0;color:#111;background:#fff}\n"
    "header.agency{background:#8b0000;color:#fff;padding:.4em 1em;font-weight:bold}\n"
    "main{max-width:64em;margin:0 auto;padding:1em}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc}\n"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}\n"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}.count{color:#8b0000}\n"
    ".flash{background:#e8f5e9;border:1px solid #2e7d32;padding:.5em}\n"
    ".closed,.notice{background:#fff3e0;border:1px solid #ef6c00;padding:.5em}\n"
    "form{margin:.75em 0}fieldset{border:1px solid #bbb}label{display:block;margin:.3em 0}\n"
    "button{font-size:1em;padding:.4em 1em}textarea{width:100%}\n"
    "svg{width:100%;height:auto;border:1px solid #ddd}\n"
    ".sitting{fill:#90caf9}.sitting.kind-1{fill:#1565c0}.sitting.kind-2{fill:#42a5f5}\n"
    ".deadline{fill:#2e7d32}.deadline.late{fill:#c62828}.today{stroke:#c62828;fill:#c62828}\n"
    ".month{stroke:#eee;font-size:10px;fill:#666}text.month{stroke:none}\n"
    "#live{font-size:.8em;color:#2e7d32}#live.off{color:#999}\n"
    "footer{color:#666;font-size:.8em;text-align:center;padding:1em}\n"
    "@media print{@page{size:A4 portrait;margin:15mm}header.agency{background:none;color:#000}"
    "#live,form,footer{display:none}a{color:#000;text-decoration:none}}\n";

/* The board follows the feed and redraws <main> from a fresh copy of the
 * page when an event comes (debounced), so what it shows is always what
 * the server renders. Tabs share one stream (browsers allow about six
 * HTTP/1.1 connections per site): the tab that holds the Web Lock opens
 * the EventSource and passes each event to the others on a
 * BroadcastChannel; when it closes, another tab takes the lock. */
static const char s_board_js[] =
    "'use strict';\n"
    "(function(){\n"
    "  var live=document.getElementById('live');\n"
    "  if(!live||!window.EventSource)return;\n"
    "  var timer=null;\n"
    "  function redraw(){\n"
    "    timer=null;\n"
    "    fetch(location.href,{credentials:'same-origin',cache:'no-store'})\n"
    "      .then(function(r){return r.text();})\n"
    "      .then(function(html){\n"
    "        var doc=new DOMParser().parseFromString(html,'text/html');\n"
    "        var fresh=doc.querySelector('main');\n"
    "        if(fresh){document.querySelector('main').innerHTML=fresh.innerHTML;\n"
    "          live=document.getElementById('live');\n"
    "          if(live){live.classList.remove('off');live.dataset.updated=String(Date.now());}}\n"
    "      });\n"
    "  }\n"
    "  function changed(){if(!timer)timer=setTimeout(redraw,300);}\n"
    "  function mark(on){var l=document.getElementById('live');if(l)l.classList.toggle('off',!on);}\n"
    "  function follow(channel){\n"
    "    var es=new EventSource(live.dataset.feed);\n"
    "    es.onmessage=function(){changed();if(channel)channel.postMessage('event');};\n"
    "    es.onerror=function(){mark(false);};\n"
    "    es.onopen=function(){mark(true);if(channel)channel.postMessage('open');};\n"
    "  }\n"
    "  if(window.BroadcastChannel&&navigator.locks){\n"
    "    var channel=new BroadcastChannel('thuky-feed');\n"
    "    channel.onmessage=function(m){if(m.data==='event')changed();else mark(true);};\n"
    "    navigator.locks.request('thuky-feed',function(){follow(channel);"
    "return new Promise(function(){});});\n"
    "  }else{follow(null);}\n"
    "})();\n";

const char web_openapi_json[] =
    "{\"openapi\":\"3.1.0\","
    "\"info\":{\"title\":\"thuky\",\"version\":\"1\",\"description\":\"The work program, "
    "sittings and alerts of the Secretariat of the National Assembly. Errors are "
    "application/problem+json.\"},"
    "\"servers\":[{\"url\":\"/api/v1\"}],"
    "\"security\":[{\"bearer\":[]}],"
    "\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}},"
    "\"schemas\":{"
    "\"Problem\":{\"type\":\"object\",\"required\":[\"title\",\"status\"],\"properties\":{"
    "\"type\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"status\":{\"type\":"
    "\"integer\"},\"detail\":{\"type\":\"string\"}}},"
    "\"Task\":{\"type\":\"object\",\"required\":[\"id\",\"title\"],\"properties\":{"
    "\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"lead_office\":{\"type\":"
    "\"string\"},\"with_offices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"status\":{\"type\":\"string\"},\"progress\":{\"type\":\"integer\"},\"flags\":{\"type\":"
    "\"array\",\"items\":{\"type\":\"string\"}},\"deadline\":{\"type\":\"object\"},"
    "\"version\":{\"type\":\"integer\"}}},"
    "\"TaskPage\":{\"type\":\"object\",\"required\":[\"tasks\"],\"properties\":{\"tasks\":{"
    "\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Task\"}},\"next_cursor\":{"
    "\"type\":\"string\"}}},"
    "\"TaskDetail\":{\"type\":\"object\",\"required\":[\"task\"],\"properties\":{\"task\":{"
    "\"$ref\":\"#/components/schemas/Task\"},\"history\":{\"type\":\"array\"}}},"
    "\"Alert\":{\"type\":\"object\",\"required\":[\"id\",\"office\"],\"properties\":{\"id\":{"
    "\"type\":\"string\"},\"office\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"},"
    "\"task_id\":{\"type\":\"integer\"},\"due_date\":{\"type\":\"string\"}}},"
    "\"AlertList\":{\"type\":\"object\",\"properties\":{\"alerts\":{\"type\":\"array\",\"items\":"
    "{\"$ref\":\"#/components/schemas/Alert\"}}}},"
    "\"OfficeList\":{\"type\":\"object\",\"properties\":{\"offices\":{\"type\":\"array\"}}},"
    "\"SittingList\":{\"type\":\"object\",\"properties\":{\"sittings\":{\"type\":\"array\"}}},"
    "\"Briefing\":{\"type\":\"object\",\"required\":[\"today\",\"behind_schedule\","
    "\"short_on_quality\",\"disputed\",\"due_soon\"],\"properties\":{\"today\":{\"type\":"
    "\"string\"},\"behind_schedule\":{\"type\":\"array\"},\"short_on_quality\":{\"type\":"
    "\"array\"},\"disputed\":{\"type\":\"array\"},\"due_soon\":{\"type\":\"array\"}}},"
    "\"EventPage\":{\"type\":\"object\",\"required\":[\"events\",\"next\"],\"properties\":{"
    "\"events\":{\"type\":\"array\",\"description\":\"CloudEvents 1.0, structured mode\"},"
    "\"next\":{\"type\":\"string\",\"description\":\"feed position t=SEQ,s=SEQ,n=SEQ\"}}},"
    "\"Progress\":{\"type\":\"object\",\"required\":[\"progress\",\"note\"],\"properties\":{"
    "\"progress\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},\"flag\":{\"enum\":["
    "\"none\",\"quality\",\"dispute\"]},\"note\":{\"type\":\"string\",\"minLength\":1}}}},"
    "\"responses\":{\"Problem\":{\"description\":\"an error\",\"content\":{"
    "\"application/problem+json\":{\"schema\":{\"$ref\":\"#/components/schemas/Problem\"}}}}},"
    "\"parameters\":{\"IdempotencyKey\":{\"name\":\"Idempotency-Key\",\"in\":\"header\","
    "\"schema\":{\"type\":\"string\",\"maxLength\":255}}}},"
    "\"paths\":{"
    "\"/offices\":{\"get\":{\"operationId\":\"listOffices\",\"responses\":{\"200\":{"
    "\"description\":\"offices\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/OfficeList\"}}}},\"401\":{\"$ref\":\"#/components/responses/Problem\"},"
    "\"503\":{\"$ref\":\"#/components/responses/Problem\"}}}},"
    "\"/tasks\":{\"get\":{\"operationId\":\"listTasks\",\"parameters\":["
    "{\"name\":\"office\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}},"
    "{\"name\":\"status\",\"in\":\"query\",\"schema\":{\"enum\":[\"open\",\"in_progress\","
    "\"done\",\"cancelled\"]}},"
    "{\"name\":\"flag\",\"in\":\"query\",\"schema\":{\"enum\":[\"quality\",\"dispute\","
    "\"sitting_cancelled\"]}},"
    "{\"name\":\"due_before\",\"in\":\"query\",\"schema\":{\"type\":\"string\",\"format\":"
    "\"date\"}},"
    "{\"name\":\"limit\",\"in\":\"query\",\"schema\":{\"type\":\"integer\",\"minimum\":1,"
    "\"maximum\":1000}},"
    "{\"name\":\"cursor\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}}],"
    "\"responses\":{\"200\":{\"description\":\"a page of tasks\",\"content\":{"
    "\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/TaskPage\"}}}},"
    "\"400\":{\"$ref\":\"#/components/responses/Problem\"},\"401\":{\"$ref\":"
    "\"#/components/responses/Problem\"}}}},"
    "\"/tasks/{id}\":{\"get\":{\"operationId\":\"getTask\",\"parameters\":[{\"name\":\"id\","
    "\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"integer\"}}],\"responses\":{"
    "\"200\":{\"description\":\"a task and its history\",\"content\":{\"application/json\":{"
    "\"schema\":{\"$ref\":\"#/components/schemas/TaskDetail\"}}}},\"403\":{\"$ref\":"
    "\"#/components/responses/Problem\"},\"404\":{\"$ref\":\"#/components/responses/Problem\"}}}},"
    "\"/tasks/{id}/progress\":{\"post\":{\"operationId\":\"reportProgress\",\"parameters\":[{"
    "\"name\":\"id\",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"integer\"}},{"
    "\"$ref\":\"#/components/parameters/IdempotencyKey\"}],\"requestBody\":{\"required\":true,"
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Progress\"}}}},"
    "\"responses\":{\"200\":{\"description\":\"the task after the report\",\"content\":{"
    "\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Task\"}}}},\"400\":{"
    "\"$ref\":\"#/components/responses/Problem\"},\"403\":{\"$ref\":"
    "\"#/components/responses/Problem\"}}}},"
    "\"/sittings\":{\"get\":{\"operationId\":\"listSittings\",\"parameters\":[{\"name\":"
    "\"from\",\"in\":\"query\",\"schema\":{\"type\":\"string\",\"format\":\"date\"}},{\"name\":"
    "\"to\",\"in\":\"query\",\"schema\":{\"type\":\"string\",\"format\":\"date\"}}],"
    "\"responses\":{\"200\":{\"description\":\"sittings\",\"content\":{\"application/json\":{"
    "\"schema\":{\"$ref\":\"#/components/schemas/SittingList\"}}}}}}},"
    "\"/alerts\":{\"get\":{\"operationId\":\"listAlerts\",\"parameters\":[{\"name\":\"office\","
    "\"in\":\"query\",\"schema\":{\"type\":\"string\"}}],\"responses\":{\"200\":{\"description\":"
    "\"alerts\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/AlertList\"}}}}}}},"
    "\"/alerts/{id}/ack\":{\"post\":{\"operationId\":\"acknowledgeAlert\",\"parameters\":[{"
    "\"name\":\"id\",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}},{"
    "\"$ref\":\"#/components/parameters/IdempotencyKey\"}],\"responses\":{\"200\":{"
    "\"description\":\"the alert, acknowledged\",\"content\":{\"application/json\":{\"schema\":{"
    "\"$ref\":\"#/components/schemas/Alert\"}}}},\"403\":{\"$ref\":"
    "\"#/components/responses/Problem\"},\"404\":{\"$ref\":\"#/components/responses/Problem\"}}}},"
    "\"/report/briefing\":{\"get\":{\"operationId\":\"briefing\",\"responses\":{\"200\":{"
    "\"description\":\"the briefing report\",\"content\":{\"application/json\":{\"schema\":{"
    "\"$ref\":\"#/components/schemas/Briefing\"}}}}}}},"
    "\"/events\":{\"get\":{\"operationId\":\"events\",\"description\":\"Server-Sent Events with "
    "Accept: text/event-stream (id = feed position; Last-Event-ID resumes), else a JSON page\","
    "\"parameters\":[{\"name\":\"after\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}},{"
    "\"name\":\"type\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}}],\"responses\":{"
    "\"200\":{\"description\":\"events\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/EventPage\"}},\"text/event-stream\":{}}}}}}}}";

void web_static_route(web_request_t *req)
{
    if (!web_is_get(req)) {
        web_method_not_allowed(req, "GET, HEAD");
        return;
    }
    const char *body = NULL, *type = NULL;
    if (strcmp(req->path, "/static/thuky.css") == 0) {
        body = s_css;
        type = "text/css; charset=utf-8";
    } else if (strcmp(req->path, "/static/board.js") == 0) {
        body = s_board_js;
        type = "text/javascript; charset=utf-8";
    }
    if (!body) {
        web_problem(req, 404, "Not found", N_("no such file"));
        return;
    }
    web_response_t r;
    web_response_init(&r, 200, type);
    r.cache = true;
    web_response_header(&r, "Cache-Control", "public, max-age=300");
    strbuf_str(&r.body, body);
    web_send(req, &r);
}
