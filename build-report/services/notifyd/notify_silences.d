build-report/services/notifyd/notify_silences.o: \
 services/notifyd/notify_silences.c common/base/date.h common/base/i18n.h \
 common/domain/sitting.h build-report/gen/thuky/session.pb-c.h \
 common/runtime/check.h common/runtime/server.h common/runtime/config.h \
 common/base/log.h common/runtime/eventlog.h common/runtime/store.h \
 build-report/gen/thuky/event.pb-c.h build-report/gen/thuky/task.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-report/gen/thuky/envelope.pb-c.h common/runtime/keys.h \
 services/notifyd/notify_store.h services/notifyd/notifyd.h \
 common/calendar/workcal.h common/service/calendar_watch.h \
 services/notifyd/channels.h common/runtime/signed_link.h
common/base/date.h:
common/base/i18n.h:
common/domain/sitting.h:
build-report/gen/thuky/session.pb-c.h:
common/runtime/check.h:
common/runtime/server.h:
common/runtime/config.h:
common/base/log.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-report/gen/thuky/event.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-report/gen/thuky/envelope.pb-c.h:
common/runtime/keys.h:
services/notifyd/notify_store.h:
services/notifyd/notifyd.h:
common/calendar/workcal.h:
common/service/calendar_watch.h:
services/notifyd/channels.h:
common/runtime/signed_link.h:
