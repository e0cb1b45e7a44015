build-report/services/webd/main.o: services/webd/main.c common/base/log.h \
 common/runtime/secret.h common/runtime/server.h common/runtime/config.h \
 common/base/i18n.h common/runtime/eventlog.h common/runtime/store.h \
 build-report/gen/thuky/event.pb-c.h build-report/gen/thuky/task.pb-c.h \
 build-report/gen/thuky/session.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-report/gen/thuky/envelope.pb-c.h common/service/daemon.h \
 common/calendar/workcal.h common/service/calendar_watch.h \
 services/webd/web_feed.h services/webd/web_http.h common/text/strbuf.h \
 services/webd/webd.h common/runtime/signed_link.h \
 services/webd/web_backend.h common/runtime/client.h
common/base/log.h:
common/runtime/secret.h:
common/runtime/server.h:
common/runtime/config.h:
common/base/i18n.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-report/gen/thuky/event.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-report/gen/thuky/envelope.pb-c.h:
common/service/daemon.h:
common/calendar/workcal.h:
common/service/calendar_watch.h:
services/webd/web_feed.h:
services/webd/web_http.h:
common/text/strbuf.h:
services/webd/webd.h:
common/runtime/signed_link.h:
services/webd/web_backend.h:
common/runtime/client.h:
