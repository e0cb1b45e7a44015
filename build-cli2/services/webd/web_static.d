build-cli2/services/webd/web_static.o: services/webd/web_static.c \
 services/webd/web_routes.h services/webd/web_http.h common/base/i18n.h \
 common/text/strbuf.h common/base/log.h services/webd/webd.h \
 common/runtime/config.h common/runtime/server.h \
 common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/runtime/signed_link.h services/webd/web_backend.h \
 common/runtime/client.h
services/webd/web_routes.h:
services/webd/web_http.h:
common/base/i18n.h:
common/text/strbuf.h:
common/base/log.h:
services/webd/webd.h:
common/runtime/config.h:
common/runtime/server.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/signed_link.h:
services/webd/web_backend.h:
common/runtime/client.h:
