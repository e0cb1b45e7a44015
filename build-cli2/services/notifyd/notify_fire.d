build-cli2/services/notifyd/notify_fire.o: services/notifyd/notify_fire.c \
 common/base/date.h common/base/log.h common/domain/alert_text.h \
 common/runtime/clock.h common/runtime/keys.h common/runtime/secret.h \
 services/notifyd/notify_store.h common/runtime/store.h \
 build-cli2/gen/thuky/notify.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 services/notifyd/notifyd.h common/calendar/workcal.h \
 common/runtime/config.h common/base/i18n.h common/runtime/server.h \
 common/runtime/eventlog.h build-cli2/gen/thuky/event.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-cli2/gen/thuky/envelope.pb-c.h common/service/calendar_watch.h \
 services/notifyd/channels.h common/runtime/signed_link.h
common/base/date.h:
common/base/log.h:
common/domain/alert_text.h:
common/runtime/clock.h:
common/runtime/keys.h:
common/runtime/secret.h:
services/notifyd/notify_store.h:
common/runtime/store.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
services/notifyd/notifyd.h:
common/calendar/workcal.h:
common/runtime/config.h:
common/base/i18n.h:
common/runtime/server.h:
common/runtime/eventlog.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/service/calendar_watch.h:
services/notifyd/channels.h:
common/runtime/signed_link.h:
