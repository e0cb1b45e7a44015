build-report/services/notifyd/notify_store.o: \
 services/notifyd/notify_store.c services/notifyd/notify_store.h \
 common/runtime/store.h build-report/gen/thuky/notify.pb-c.h \
 build-report/gen/thuky/task.pb-c.h common/base/log.h \
 common/runtime/keys.h
services/notifyd/notify_store.h:
common/runtime/store.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
common/base/log.h:
common/runtime/keys.h:
