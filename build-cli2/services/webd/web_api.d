build-cli2/services/webd/web_api.o: services/webd/web_api.c \
 common/base/date.h common/base/log.h common/runtime/clock.h \
 common/runtime/proto_json.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 services/webd/web_auth.h services/webd/web_http.h common/base/i18n.h \
 common/text/strbuf.h services/webd/webd.h common/runtime/config.h \
 common/runtime/server.h common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-cli2/gen/thuky/envelope.pb-c.h common/runtime/signed_link.h \
 services/webd/web_backend.h common/runtime/client.h \
 services/webd/web_feed.h services/webd/web_report.h \
 services/webd/web_routes.h services/webd/web_sign.h
common/base/date.h:
common/base/log.h:
common/runtime/clock.h:
common/runtime/proto_json.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
services/webd/web_auth.h:
services/webd/web_http.h:
common/base/i18n.h:
common/text/strbuf.h:
services/webd/webd.h:
common/runtime/config.h:
common/runtime/server.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/signed_link.h:
services/webd/web_backend.h:
common/runtime/client.h:
services/webd/web_feed.h:
services/webd/web_report.h:
services/webd/web_routes.h:
services/webd/web_sign.h:
