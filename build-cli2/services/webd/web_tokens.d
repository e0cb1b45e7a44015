build-cli2/services/webd/web_tokens.o: services/webd/web_tokens.c \
 services/webd/web_tokens.h build-cli2/gen/thuky/web.pb-c.h \
 services/webd/webd.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h common/runtime/server.h common/runtime/eventlog.h \
 common/runtime/store.h build-cli2/gen/thuky/event.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/notify.pb-c.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/runtime/signed_link.h services/webd/web_backend.h \
 common/runtime/client.h common/runtime/clock.h
services/webd/web_tokens.h:
build-cli2/gen/thuky/web.pb-c.h:
services/webd/webd.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
common/runtime/server.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/signed_link.h:
services/webd/web_backend.h:
common/runtime/client.h:
common/runtime/clock.h:
