build-cli2/services/notifyd/notify_silences.o: \
 services/notifyd/notify_silences.c common/base/date.h common/base/i18n.h \
 common/domain/sitting.h build-cli2/gen/thuky/session.pb-c.h \
 common/runtime/check.h common/runtime/server.h common/runtime/config.h \
 common/base/log.h common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/notify.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-cli2/gen/thuky/envelope.pb-c.h common/runtime/keys.h \
 services/notifyd/notify_store.h services/notifyd/notifyd.h \
 common/calendar/workcal.h common/service/calendar_watch.h \
 services/notifyd/channels.h common/runtime/signed_link.h
common/base/date.h:
common/base/i18n.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
common/runtime/check.h:
common/runtime/server.h:
common/runtime/config.h:
common/base/log.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/keys.h:
services/notifyd/notify_store.h:
services/notifyd/notifyd.h:
common/calendar/workcal.h:
common/service/calendar_watch.h:
services/notifyd/channels.h:
common/runtime/signed_link.h:
